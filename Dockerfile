# scimflow worker / ingress image. Build: docker build -t scimflow .
# The same image runs either process: `scimflow worker` or `scimflow ingress`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY config ./config
COPY tsconfig.json ./
USER node
ENTRYPOINT ["node", "bin/scimflow.mjs"]
CMD ["worker"]
