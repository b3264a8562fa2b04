import Foundation
import PalimpsestTestSupport
import Testing

@testable import PalimpsestCore

/// RFC 9162 §2.1 hashing, tree heads and inclusion proofs, against a reference written
/// independently in Python from the RFC's recursive definitions (MTH, PATH).
@Suite struct MerkleTreeTests {
    static let reference = """
        import hashlib, json, sys
        def leaf(b): return hashlib.sha256(b"\\x00" + b).digest()
        def node(l, r): return hashlib.sha256(b"\\x01" + l + r).digest()
        def k_of(n):
            k = 1
            while k * 2 < n: k *= 2
            return k
        def mth(d):
            if len(d) == 0: return hashlib.sha256(b"").digest()
            if len(d) == 1: return leaf(d[0])
            k = k_of(len(d)); return node(mth(d[:k]), mth(d[k:]))
        def path(m, d):
            if len(d) <= 1: return []
            k = k_of(len(d))
            if m < k: return path(m, d[:k]) + [mth(d[k:])]
            return path(m - k, d[k:]) + [mth(d[:k])]
        out = {}
        for n in list(range(0, 9)) + [13, 31]:
            d = [("line %d" % i).encode() for i in range(n)]
            out[str(n)] = {"root": mth(d).hex(), "paths": [[h.hex() for h in path(m, d)] for m in range(n)]}
        print(json.dumps(out))
        """

    struct Expected: Decodable {
        var root: String
        var paths: [[String]]
    }

    @Test(.enabled(if: EvidenceTestSupport.hasPython, "SKIPPED: needs python3"))
    func treeHeadsAndInclusionProofsMatchAnIndependentReference() async throws {
        let output = try await EvidenceTestSupport.run(["python3", "-c", Self.reference])
        #expect(output.succeeded, "\(output.standardError)")
        let expected = try JSONDecoder().decode([String: Expected].self, from: Data(output.standardOutput.utf8))
        for n in [0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 31] {
            let lines = (0..<n).map { Data("line \($0)".utf8) }
            let leaves = lines.map(MerkleTree.leafHash)
            let want = try #require(expected[String(n)])
            let root = MerkleTree.root(leaves)
            #expect(ContentHash.hex(root) == want.root, "n = \(n)")
            var frontier = MerkleTree.Frontier()
            for leaf in leaves { frontier.append(leaf) }
            #expect(ContentHash.hex(frontier.root) == want.root, "frontier, n = \(n)")
            for m in 0..<n {
                let proof = MerkleTree.inclusionProof(index: m, leaves: leaves)
                #expect(proof.map { ContentHash.hex($0) } == want.paths[m], "PATH(\(m), D[\(n)])")
                #expect(MerkleTree.verifyInclusion(index: m, treeSize: n, leaf: leaves[m], proof: proof, root: root))
                // Another line, or another position, does not lead to the root.
                #expect(
                    !MerkleTree.verifyInclusion(
                        index: m, treeSize: n, leaf: MerkleTree.leafHash(Data("forged".utf8)), proof: proof, root: root)
                )
                if n > 1 {
                    #expect(
                        !MerkleTree.verifyInclusion(
                            index: (m + 1) % n, treeSize: n, leaf: leaves[m], proof: proof, root: root))
                }
            }
        }
    }
}
