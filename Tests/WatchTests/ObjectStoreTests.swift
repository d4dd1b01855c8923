import ClusterModel
import Foundation
import Testing
@testable import Watch

/// What a list hands out: only the objects that differ from what the store held.
@Suite("Object store")
struct ObjectStoreTests {
    static func service(_ name: String, ip: String) -> Service {
        Service(name: name, namespace: "shop", spec: ServiceSpec(clusterIP: ip))
    }

    @Test func aListHandsOutWhatChangedAndWhatWentMissing() {
        let store = ObjectStore()
        let (web, db) = (Self.service("web", ip: "10.96.0.1"), Self.service("db", ip: "10.96.0.2"))
        store.replace([web, db], version: "1")
        #expect(store.take().delta.services == ["shop/web": web, "shop/db": db])

        let moved = Self.service("db", ip: "10.96.0.3")
        store.replace([web, moved], version: "2")
        #expect(store.take().delta.services == ["shop/db": moved])

        store.replace([moved], version: "3")
        let taken = store.take()
        #expect(taken.delta.services == ["shop/web": Service?.none])
        #expect(taken.positions == ["services": "3"])
    }

    /// A key listed twice keeps the later object, and that is the one compared and handed out.
    @Test func aKeyListedTwiceKeepsTheLaterObject() {
        let store = ObjectStore()
        let (first, later) = (Self.service("web", ip: "10.96.0.1"), Self.service("web", ip: "10.96.0.9"))
        store.replace([later], version: "1")
        _ = store.take()
        store.replace([first, later], version: "2")
        #expect(store.take().delta.services.isEmpty)
        store.replace([later, first], version: "3")
        #expect(store.take().delta.services == ["shop/web": first])
    }

    /// The first list's pages are handed out as they come and its end hands out nothing more;
    /// a list started again first takes away what the earlier attempt brought, and a relist's
    /// pages hand out nothing before its end.
    @Test func theFirstListsPagesAreHandedOutAsTheyCome() {
        let store = ObjectStore()
        let (web, db, api) = (Self.service("web", ip: "10.96.0.1"), Self.service("db", ip: "10.96.0.2"),
            Self.service("api", ip: "10.96.0.3"))
        #expect(store.startFirstList(Service.self))
        #expect(store.take().delta.services.isEmpty)
        store.addFirstListPage([web])
        #expect(store.take().delta.services == ["shop/web": web])
        store.addFirstListPage([db])
        let part = store.take()
        #expect(part.delta.services == ["shop/db": db] && part.listedKinds == 0)

        // The list started again (its next page expired) and db was deleted meanwhile.
        #expect(store.startFirstList(Service.self))
        #expect(store.take().delta.services == ["shop/web": Service?.none, "shop/db": Service?.none])
        store.addFirstListPage([web, api])
        store.endFirstList(Service.self, version: "5")
        let whole = store.take()
        #expect(whole.delta.services == ["shop/web": web, "shop/api": api] && whole.listedKinds == 1)
        #expect(whole.positions == ["services": "5"])

        #expect(!store.startFirstList(Service.self))
        store.addFirstListPage([db])
        #expect(store.take().delta.services.isEmpty)
        store.replace([web, api, db], version: "6")
        #expect(store.take().delta.services == ["shop/db": db])
    }

    /// Taken away and brought back before the changes are taken, an object is handed out as it
    /// is at the end: one change per object.
    @Test func aFirstListStartedAgainHandsOutWhatItEndsWith() {
        let store = ObjectStore()
        let (web, db) = (Self.service("web", ip: "10.96.0.1"), Self.service("db", ip: "10.96.0.2"))
        _ = store.startFirstList(Service.self)
        store.addFirstListPage([web, db])
        _ = store.startFirstList(Service.self)
        store.addFirstListPage([web])
        store.endFirstList(Service.self, version: "7")
        #expect(store.take().delta.services == ["shop/web": web, "shop/db": Service?.none])
    }

    /// Without endpoint pod names (no `--endpoint-pod-names`), a slice is kept without them, a
    /// list's page is read without them, and a change to nothing else hands nothing out.
    @Test func podNamesAreNotKeptUnlessAsked() throws {
        func slice(pod: String) -> EndpointSlice {
            EndpointSlice(name: "db-x1", namespace: "shop", serviceName: "db", endpoints: [
                Endpoint(addresses: ["10.244.5.1"], targetRef: ObjectReference(kind: "Pod", name: pod, namespace: "shop")),
            ])
        }
        let store = ObjectStore(options: FeedOptions(endpointPodNames: false))
        store.upsert(slice(pod: "db-0"))
        let added = try #require(store.take().delta.endpointSlices["shop/db-x1"] ?? nil)
        #expect(added.endpoints?[0].targetRef == ObjectReference(kind: "Pod", name: nil, namespace: "shop"))
        store.upsert(slice(pod: "db-0-renamed"))
        #expect(store.take().delta.isEmpty)

        let keeping = ObjectStore(options: FeedOptions(endpointPodNames: true))
        keeping.upsert(slice(pod: "db-0"))
        _ = keeping.take()
        keeping.upsert(slice(pod: "db-0-renamed"))
        #expect(keeping.take().delta.endpointSlices["shop/db-x1"]??.endpoints?[0].targetRef?.name == "db-0-renamed")

        let list = #"{"metadata": {"resourceVersion": "7"}, "items": [{"metadata": {"name": "db-x1", "namespace": "shop", "#
            + #""labels": {"kubernetes.io/service-name": "db"}}, "addressType": "IPv4", "endpoints": [{"addresses": ["10.244.5.1"], "#
            + #""targetRef": {"kind": "Pod", "name": "db-0", "namespace": "shop"}}]}]}"#
        let page = try ObjectListOf<EndpointSlice>(json: Data(list.utf8), FeedOptions(endpointPodNames: false))
        #expect(page.items == [slice(pod: "db-0").dnsFields(podNames: false)])
        let kept = try ObjectListOf<EndpointSlice>(json: Data(list.utf8), FeedOptions())
        #expect(kept.items == [slice(pod: "db-0").dnsFields])
    }
}
