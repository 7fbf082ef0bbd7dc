import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createWebPubSubClient } from "./live/webPubSub";
import { App } from "./shell/App";
import { createServices, ServicesContext } from "./shell/services";
import "./styles.css";

const services = createServices(createWebPubSubClient, import.meta.env.VITE_API_BASE as string | undefined);
window.addEventListener("pagehide", () => services.live.close());

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
    <StrictMode>
        <ServicesContext.Provider value={services}>
            <App />
        </ServicesContext.Provider>
    </StrictMode>,
);
