import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The dev server forwards the API and its WebSocket to a server started on API_URL. */
const apiUrl = process.env.API_URL ?? "http://localhost:4000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: {
    proxy: { "/graphql": { target: apiUrl, ws: true } },
  },
});
