import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The dashboard is static files: `npm run build` writes dist/, which `sigmaflow serve` serves at `/` and Azure Static
// Web Apps serves in the cloud. In development (`npm run dev`) /api is proxied to a running `sigmaflow serve`
// (SIGMAFLOW_API, default http://127.0.0.1:7071), so the page and the API share an origin as they do when served.
export default defineConfig({
    base: "./",
    plugins: [react()],
    build: {
        outDir: "dist",
        emptyOutDir: true,
        manifest: true,
        target: "es2022",
        sourcemap: true,
        chunkSizeWarningLimit: 600,
    },
    server: {
        host: "127.0.0.1",
        proxy: {
            "/api": { target: process.env.SIGMAFLOW_API ?? "http://127.0.0.1:7071", changeOrigin: false },
        },
    },
    test: {
        include: ["tests/unit/**/*.test.ts"],
        environment: "node",
    },
});
