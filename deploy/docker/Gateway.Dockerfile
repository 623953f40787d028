# syntax=docker/dockerfile:1
# The gateway image. Build from the repository root:
#   docker build -f deploy/docker/Gateway.Dockerfile -t REGISTRY/benchplatform-gateway:TAG .

# Build: restore with only the project files first, so the restore layer is reused when only code changes.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY ServiceDefaults/ServiceDefaults.csproj ServiceDefaults/
COPY Gateway/Gateway.csproj Gateway/
RUN dotnet restore Gateway/Gateway.csproj
COPY ServiceDefaults/ ServiceDefaults/
COPY Gateway/ Gateway/
RUN dotnet publish Gateway/Gateway.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# Run: Ubuntu chiseled (no shell, no package manager), ICU and time zones included, non-root user "app" (1654).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra AS final
WORKDIR /app
COPY --from=build --chown=1654:1654 /app .
USER 1654
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "Gateway.dll"]
