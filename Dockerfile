# syntax=docker/dockerfile:1
# Node 20.19+ and npm 11, as the README says (the node:20 images ship npm 10).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g npm@11.19.1
COPY package.json package-lock.json ./
# postinstall (scripts/pglite-template.mjs) prepares the embedded database template
COPY scripts ./scripts
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8000 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:8000/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/main.js"]
