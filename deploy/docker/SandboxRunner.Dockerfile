# syntax=docker/dockerfile:1
# The sandbox runner image. Build from the repository root:
#   docker build -f deploy/docker/SandboxRunner.Dockerfile -t REGISTRY/benchplatform-sandbox:TAG .
# The jails run Debian's/Ubuntu's /usr/bin/python3 with numpy, so this image is not chiseled. It defaults to the
# non-root user "app"; the Kubernetes manifest runs it as root with a handful of capabilities (the jail launcher
# maps each jail to its own unprivileged uid), inside the sandbox RuntimeClass (gVisor by default).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY ServiceDefaults/ServiceDefaults.csproj ServiceDefaults/
COPY SandboxRunner/SandboxRunner.csproj SandboxRunner/
RUN dotnet restore SandboxRunner/SandboxRunner.csproj
COPY ServiceDefaults/ ServiceDefaults/
COPY SandboxRunner/ SandboxRunner/
RUN dotnet publish SandboxRunner/SandboxRunner.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS final
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-numpy \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
USER 1654
ENV ASPNETCORE_HTTP_PORTS=8080 Sandbox__PythonPath=/usr/bin/python3
EXPOSE 8080
ENTRYPOINT ["dotnet", "SandboxRunner.dll"]
