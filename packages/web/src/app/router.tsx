import {
  type AnchorHTMLAttributes,
  createContext,
  type MouseEvent,
  type ReactNode,
  useContext,
  useEffect,
  useState,
} from "react";

/** The part of the browser location that selects a page: path and query string. */
export interface Location {
  pathname: string;
  search: string;
}

/** A page of the dashboard, matched from the path. */
export type Route =
  | { name: "board" }
  | { name: "kpis" }
  | { name: "report" }
  | { name: "incident"; key: string }
  | { name: "notFound" };

/** Matches a path to a route: /, /kpis, /incidents/new and /incidents/KEY. */
export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { name: "board" };
  if (path === "/kpis") return { name: "kpis" };
  if (path === "/incidents/new") return { name: "report" };
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident?.[1]) return { name: "incident", key: decodeURIComponent(incident[1]) };
  return { name: "notFound" };
}

function currentLocation(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

const NAVIGATED = "dashboard:navigate";

/**
 * Goes to a path in this app without a page load. `replace` swaps the history entry, for
 * changes such as typing in a filter that should not each become a back-button step.
 */
export function navigate(to: string, options: { replace?: boolean } = {}) {
  const current = window.location.pathname + window.location.search;
  if (to === current) return;
  if (options.replace) {
    window.history.replaceState(null, "", to);
  } else {
    window.history.pushState(null, "", to);
    window.scrollTo(0, 0);
  }
  window.dispatchEvent(new Event(NAVIGATED));
}

const LocationContext = createContext<Location>({ pathname: "/", search: "" });

/** Provides the location and follows back, forward and in-app navigation. */
export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => {
    const update = () => setLocation(currentLocation());
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return <LocationContext.Provider value={location}>{children}</LocationContext.Provider>;
}

export function useLocation(): Location {
  return useContext(LocationContext);
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** Renders an anchor that navigates inside the app, unless the reader requests a new tab or window. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (event.defaultPrevented || event.button !== 0 || modified || rest.target) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
