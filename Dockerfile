# scimflow worker / ingress image. Build: docker build -t scimflow [--build-arg SCIMFLOW_BUILD_ID=<id>] .
# The same image runs either process: `scimflow worker` or `scimflow ingress`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY config ./config
COPY scripts/build-workflows.ts ./scripts/
COPY tsconfig.json ./
# The workflow bundle, built once here: the worker loads dist/workflow-bundle.js instead of
# bundling at start-up, and every container of this image runs byte-identical workflow code.
RUN node --import tsx scripts/build-workflows.ts
# The build id workers report (docs/versioning.md); unset, it is derived from the bundle's hash.
ARG SCIMFLOW_BUILD_ID=
ENV SCIMFLOW_BUILD_ID=${SCIMFLOW_BUILD_ID}
USER node
ENTRYPOINT ["node", "bin/scimflow.mjs"]
CMD ["worker"]
