#!/usr/bin/env sh
# Builds and pushes the images these manifests name. Run from the repository root.
set -eu
docker build -f deploy/docker/InferenceWorker.Gpu.Dockerfile --target cuda -t localhost:5000/benchplatform-inference:latest-cuda .
docker push localhost:5000/benchplatform-inference:latest-cuda
docker build -f deploy/docker/SandboxRunner.Dockerfile -t localhost:5000/benchplatform-sandbox:latest .
docker push localhost:5000/benchplatform-sandbox:latest
docker build -f deploy/docker/Gateway.Dockerfile -t localhost:5000/benchplatform-gateway:latest .
docker push localhost:5000/benchplatform-gateway:latest
