import ClusterModel
import Hummingbird

extension WatchRequest {
    /// Reads `resourceVersion`, `timeoutSeconds`, `allowWatchBookmarks` and `sendInitialEvents`
    /// from the query.
    init(
        resource: KubeResource, namespace: String?, filter: ObjectFilter, query: (String) -> String?,
        defaultTimeout: Duration
    ) throws(RegistryError) {
        var from: Int64?
        if let text = query("resourceVersion"), !text.isEmpty {
            guard let value = Int64(text), value >= 0 else {
                throw .badRequest("resourceVersion \"\(text)\" is not a number")
            }
            from = value
        }
        var timeout = defaultTimeout
        if let text = query("timeoutSeconds"), let seconds = Int(text), seconds > 0 {
            timeout = .seconds(seconds)
        }
        let initialEvents = query("sendInitialEvents") == "true"
        if initialEvents && (from ?? 0) > 0 {
            throw .badRequest("sendInitialEvents=true needs resourceVersion to be empty or 0")
        }
        self.init(
            resource: resource, namespace: namespace, filter: filter, resourceVersion: from,
            bookmarks: query("allowWatchBookmarks") == "true", initialEventsEnd: initialEvents, asTable: false,
            timeout: timeout)
    }
}

extension RegistryAPI {
    /// A chunked response that streams the watch until it ends or the client hangs up.
    func watchResponse(_ request: Request, _ watch: WatchRequest) throws -> Response {
        guard let subscription = store.hub.subscribe(limit: configuration.maxWatchers) else {
            throw RegistryError.tooManyWatchers(limit: configuration.maxWatchers)
        }
        let stream = WatchStream(
            store: store, request: watch, subscription: subscription,
            bookmarkInterval: configuration.bookmarkInterval)
        let hub = store.hub
        let id = subscription.id
        // The server closes the connection when a watch ends (that is how it learns of clients
        // that hang up); saying so up front keeps clients from reusing it for the next request.
        return Response(
            status: .ok, headers: [.contentType: "application/json", .connection: "close"],
            body: ResponseBody { writer in
                // A client that hangs up frees its watch slot at once, not at its next event.
                try await request.body.consumeWithInboundCloseHandler { _ in
                    try await stream.write(to: &writer)
                } onInboundClosed: {
                    hub.unsubscribe(id)
                }
            })
    }
}
