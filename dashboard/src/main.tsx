import { createRoot } from "react-dom/client";
import { Root } from "./App";
import "./style.css";

createRoot(document.getElementById("root")!).render(<Root />);
