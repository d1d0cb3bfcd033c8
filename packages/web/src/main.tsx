import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "urql";
import { App } from "./app/App";
import { RouterProvider } from "./app/router";
import { createDashboardClient } from "./graphql/client";
import { ConnectionMonitor } from "./graphql/connection";
import "./styles.css";

const monitor = new ConnectionMonitor();
const wsProtocol = window.location.protocol === "https:" ? "wss:" : "ws:";
const { client } = createDashboardClient(
  {
    httpUrl: `${window.location.origin}/graphql`,
    wsUrl: `${wsProtocol}//${window.location.host}/graphql`,
  },
  monitor,
);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <Provider value={client}>
      <RouterProvider>
        <App monitor={monitor} />
      </RouterProvider>
    </Provider>
  </StrictMode>,
);
