# The service for a trust: compiled JavaScript on Node 20, run as an unprivileged user.
# Build: docker build -t attendance .      Run it with its database: docker compose up (compose.yaml)

# 1. Compile the TypeScript with every dependency (the compiler and types are dev dependencies).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY machines ./machines
COPY workflows ./workflows
COPY templates ./templates
RUN npm run build

# 2. The runtime dependencies only. Install scripts stay off: the embedded PostgreSQL they
#    would unpack is for trials; the image always talks to the DATABASE_URL it is given.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

# 3. What runs: node_modules and dist/, owned by root and read-only to the service's user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Exec form: node runs as PID 1 with no shell in between, so `docker stop`'s SIGTERM reaches it.
CMD ["node", "dist/src/cli/main.js", "serve"]
