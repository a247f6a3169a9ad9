# syntax=docker/dockerfile:1

# Build: every dependency, then TypeScript to dist/ (dist/src/main.js, dist/schema.graphql) and the console's bundle (dist/console/dist).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json schema.graphql ./
COPY src ./src
COPY console ./console
RUN npm run build

# Runtime dependencies only. The embedded PostgreSQL binaries are optional dependencies and
# are left out: in a container the service uses DATABASE_URL.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 4000
# Ready: the database answers and every migration is applied (GET /readyz).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 and receives SIGTERM: the service drains requests and stops (src/main.ts).
CMD ["node", "dist/src/main.js"]
