namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>The registry schema, as ordered scripts; each runs once per database, under an advisory lock so replicas do not race.</summary>
internal static class RegistryMigrations
{
    /// <summary>Key of the advisory lock held while migrating.</summary>
    public const long LockKey = 0x1F_E4E0_0001;

    public static readonly string[] Scripts =
    [
        """
        CREATE TABLE inference_model_names (
            name text PRIMARY KEY,
            last_version integer NOT NULL
        );
        CREATE TABLE inference_models (
            name text NOT NULL,
            version integer NOT NULL,
            sha256 char(64) NOT NULL,
            size_bytes bigint NOT NULL,
            inputs jsonb NOT NULL,
            outputs jsonb NOT NULL,
            max_batch_size integer NULL,
            max_queue_delay_us integer NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (name, version)
        );
        CREATE INDEX inference_models_sha256 ON inference_models (sha256);
        """,
    ];
}
