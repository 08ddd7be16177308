# The app as a container image. Building it needs no database: TypedSQL's types come from the committed migrations,
# described on an embedded PostgreSQL that the install starts and stops inside this build. Deploying it:
# docs/deploying.md. tests/deploy/deploy.test.ts runs these steps from a fresh clone.
#   docker build -t sprite-store .
#   docker run --rm -e DATABASE_URL=postgresql://... sprite-store npx bun run db:deploy   # release step
#   docker run -p 3000:3000 -e DATABASE_URL=postgresql://... sprite-store
# A Debian (glibc) base: the embedded PostgreSQL's binaries are built for it, not for Alpine's musl.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
# The embedded server's data (.data/) is of no use once the client is generated.
RUN npx -y bun@1.4.5 install --frozen-lockfile && rm -rf .data
RUN npx bun run build
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
CMD ["node_modules/.bin/next", "start"]
