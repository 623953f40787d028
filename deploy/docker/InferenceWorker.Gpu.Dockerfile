# syntax=docker/dockerfile:1
# The inference worker image, in two variants. Build from the repository root:
#   CPU:  docker build -f deploy/docker/InferenceWorker.Gpu.Dockerfile --target cpu  -t REGISTRY/benchplatform-inference:TAG .
#   CUDA: docker build -f deploy/docker/InferenceWorker.Gpu.Dockerfile --target cuda -t REGISTRY/benchplatform-inference:TAG-cuda .
# The CUDA variant runs the same build with ONNX Runtime's GPU native library (CUDA 12, cuDNN 9) in place of the
# CPU one; ORT_VERSION must equal Microsoft.ML.OnnxRuntime's version in Directory.Packages.props (a test checks).

ARG ORT_VERSION=1.31.1

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY ServiceDefaults/ServiceDefaults.csproj ServiceDefaults/
COPY InferenceWorker.Gpu/InferenceWorker.Gpu.csproj InferenceWorker.Gpu/
RUN dotnet restore InferenceWorker.Gpu/InferenceWorker.Gpu.csproj -r linux-x64 -p:PublishReadyToRun=true
COPY ServiceDefaults/ ServiceDefaults/
COPY InferenceWorker.Gpu/ InferenceWorker.Gpu/
# linux-x64 puts libonnxruntime.so next to the dlls, where the CUDA variant replaces it. ReadyToRun: a replica
# starts with ~27% less CPU (bench/replica-cold-start.sh, docs/readme-apphost.md).
RUN dotnet publish InferenceWorker.Gpu/InferenceWorker.Gpu.csproj -c Release -r linux-x64 --self-contained false \
        -o /app --no-restore -p:UseAppHost=false -p:PublishReadyToRun=true

# ONNX Runtime's GPU release (libonnxruntime.so with the CUDA execution provider).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS ort-cuda
ARG ORT_VERSION
RUN curl -fsSL "https://github.com/microsoft/onnxruntime/releases/download/v${ORT_VERSION}/onnxruntime-linux-x64-gpu-${ORT_VERSION}.tgz" \
        | tar -xz -C /opt \
    && mkdir /opt/ort \
    && cp -P /opt/onnxruntime-linux-x64-gpu-${ORT_VERSION}/lib/libonnxruntime*.so* /opt/ort/

# CUDA: NVIDIA's CUDA 12 + cuDNN 9 runtime with the ASP.NET Core runtime copied in; non-root user "app" (1654).
FROM nvidia/cuda:12.9.1-cudnn-runtime-ubuntu24.04 AS cuda
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libicu74 libssl3t64 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home --shell /usr/sbin/nologin app
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0-noble /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
WORKDIR /app
COPY --from=build --chown=1654:1654 /app .
COPY --from=ort-cuda --chown=1654:1654 /opt/ort/ ./
USER 1654
ENV ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true NVIDIA_DRIVER_CAPABILITIES=compute,utility
EXPOSE 8080
ENTRYPOINT ["dotnet", "InferenceWorker.Gpu.dll"]

# CPU: chiseled ASP.NET Core runtime (libstdc++ for ONNX Runtime included), non-root user "app" (1654).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra AS cpu
WORKDIR /app
COPY --from=build --chown=1654:1654 /app .
USER 1654
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "InferenceWorker.Gpu.dll"]
