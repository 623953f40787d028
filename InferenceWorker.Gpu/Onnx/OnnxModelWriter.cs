namespace BenchPlatform.InferenceWorker.Onnx;

/// <summary>
/// Serializes an <see cref="OnnxModel"/> to the ONNX protobuf (<c>ModelProto</c>) with field numbers
/// from onnx.proto, so the project builds models without a protobuf or onnx package.
/// </summary>
public static class OnnxModelWriter
{
    /// <summary>The model's <c>.onnx</c> bytes.</summary>
    public static byte[] ToBytes(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var writer = new ProtoWriter();
        WriteModel(writer, model);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the model's <c>.onnx</c> bytes to <paramref name="path"/>.</summary>
    public static void WriteFile(OnnxModel model, string path) => File.WriteAllBytes(path, ToBytes(model));

    private static void WriteModel(ProtoWriter w, OnnxModel model)
    {
        w.WriteInt64(1, model.IrVersion);
        w.WriteString(2, model.ProducerName);
        w.WriteString(3, model.ProducerVersion);
        w.WriteInt64(5, model.ModelVersion);
        if (model.DocString.Length > 0)
        {
            w.WriteString(6, model.DocString);
        }

        w.WriteMessage(7, model.Graph, WriteGraph);
        foreach (var (domain, version) in model.OpsetImports)
        {
            w.WriteMessage(8, (domain, version), static (o, s) =>
            {
                o.WriteString(1, s.domain);
                o.WriteInt64(2, s.version);
            });
        }

        foreach (var (key, value) in model.Metadata)
        {
            w.WriteMessage(14, (key, value), static (o, s) =>
            {
                o.WriteString(1, s.key);
                o.WriteString(2, s.value);
            });
        }
    }

    private static void WriteGraph(ProtoWriter w, OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            w.WriteMessage(1, node, WriteNode);
        }

        w.WriteString(2, graph.Name);
        foreach (var tensor in graph.Initializers)
        {
            w.WriteMessage(5, tensor, WriteTensor);
        }

        foreach (var input in graph.Inputs)
        {
            w.WriteMessage(11, input, WriteValueInfo);
        }

        foreach (var output in graph.Outputs)
        {
            w.WriteMessage(12, output, WriteValueInfo);
        }

        foreach (var value in graph.ValueInfo)
        {
            w.WriteMessage(13, value, WriteValueInfo);
        }
    }

    private static void WriteNode(ProtoWriter w, OnnxNode node)
    {
        foreach (var input in node.Inputs)
        {
            w.WriteString(1, input);
        }

        foreach (var output in node.Outputs)
        {
            w.WriteString(2, output);
        }

        if (node.Name.Length > 0)
        {
            w.WriteString(3, node.Name);
        }

        w.WriteString(4, node.OpType);
        foreach (var attribute in node.Attributes)
        {
            w.WriteMessage(5, attribute, WriteAttribute);
        }

        if (node.Domain.Length > 0)
        {
            w.WriteString(7, node.Domain);
        }
    }

    private static void WriteAttribute(ProtoWriter w, OnnxAttribute attribute)
    {
        w.WriteString(1, attribute.Name);
        switch (attribute.Type)
        {
            case OnnxAttributeType.Float:
                w.WriteFloat(2, attribute.FloatValue);
                break;
            case OnnxAttributeType.Int:
                w.WriteInt64(3, attribute.IntValue);
                break;
            case OnnxAttributeType.String:
                w.WriteString(4, attribute.StringValue!);
                break;
            case OnnxAttributeType.Tensor:
                w.WriteMessage(5, attribute.TensorValue!, WriteTensor);
                break;
            case OnnxAttributeType.Graph:
                w.WriteMessage(6, attribute.GraphValue!, WriteGraph);
                break;
            case OnnxAttributeType.Floats:
                w.WritePackedFloat(7, attribute.FloatsValue.ToArray());
                break;
            case OnnxAttributeType.Ints:
                w.WritePackedInt64(8, attribute.IntsValue.ToArray());
                break;
            case OnnxAttributeType.Strings:
                foreach (var value in attribute.StringsValue)
                {
                    w.WriteString(9, value);
                }

                break;
            default:
                throw new NotSupportedException($"Attribute type {attribute.Type} is not supported.");
        }

        w.WriteInt64(20, (long)attribute.Type);
    }

    private static void WriteTensor(ProtoWriter w, OnnxTensor tensor)
    {
        w.WritePackedInt64(1, tensor.Dims.ToArray());
        w.WriteInt64(2, (long)tensor.DataType);
        if (tensor.StringData is { } strings)
        {
            foreach (var value in strings)
            {
                w.WriteString(6, value);
            }
        }

        w.WriteString(8, tensor.Name);
        if (tensor.RawData is { } raw)
        {
            w.WriteBytes(9, raw.Span);
        }
    }

    private static void WriteValueInfo(ProtoWriter w, OnnxValueInfo value)
    {
        w.WriteString(1, value.Name);
        w.WriteMessage(2, value, static (type, v) =>
            type.WriteMessage(1, v, static (tensorType, t) =>
            {
                tensorType.WriteInt64(1, (long)t.ElementType);
                if (t.Shape is { } shape)
                {
                    tensorType.WriteMessage(2, shape, static (s, dims) =>
                    {
                        foreach (var dim in dims)
                        {
                            s.WriteMessage(1, dim, static (d, dim) =>
                            {
                                if (dim.Param is { } param)
                                {
                                    d.WriteString(2, param);
                                }
                                else
                                {
                                    d.WriteInt64(1, dim.Value!.Value);
                                }
                            });
                        }
                    });
                }
            }));
    }
}
