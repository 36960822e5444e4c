// Wu-Palmer similarity as NLTK 3.x computes it for nouns (Synset.wup_similarity with
// simulate_root irrelevant: WordNet 3.0 nouns share the root entity.n.01):
//   subsumers = common hypernyms (each synset included) of greatest *min* depth
//               (lowest_common_hypernyms(use_min_depth=True));
//   lcs       = a itself if a is among them, else the one whose NLTK name sorts first;
//   depth     = maxDepth(lcs) + 1;
//   len_x     = depth + shortest_path_distance(x, lcs), where that distance is the fewest
//               edges x -> c <- lcs over common ancestors c (0 when x is lcs);
//   wup       = 2 depth / (len_a + len_b).
// NLTK's mix of min depth (choosing the LCS) and max depth (scoring it) is kept on purpose:
// the values must match what users get from nltk.corpus.wordnet.
#include "semantic/wordnet.h"

#include <algorithm>
#include <deque>
#include <limits>

namespace scns {

std::unordered_map<SynsetId, int> WordNet::ancestorDistances(SynsetId id) const
{
    std::unordered_map<SynsetId, int> dist;
    std::deque<SynsetId> queue{id};
    dist.emplace(id, 0);
    // Breadth-first: the first time a synset is reached is along a fewest-edge path.
    while (!queue.empty()) {
        const SynsetId s = queue.front();
        queue.pop_front();
        const int next = dist[s] + 1;
        for (const SynsetId p : m_synsets.at(s).parents)
            if (dist.emplace(p, next).second)
                queue.push_back(p);
    }
    return dist;
}

namespace {

// NLTK's shortest_path_distance(x, ancestor) given both hypernym distance maps.
int pathThroughCommonAncestor(const std::unordered_map<SynsetId, int>& fromX,
                              const std::unordered_map<SynsetId, int>& fromAncestor)
{
    int best = std::numeric_limits<int>::max();
    for (const auto& [s, d] : fromAncestor)
        if (const auto it = fromX.find(s); it != fromX.end())
            best = std::min(best, it->second + d);
    return best;
}

}  // namespace

double WordNet::wupSimilarity(SynsetId a, SynsetId b) const
{
    // No shortcut for a == b: NLTK may pick a deeper-by-min-depth ancestor as the LCS even
    // then, and the values must match it.
    const auto fromA = ancestorDistances(a);
    const auto fromB = ancestorDistances(b);

    int bestMinDepth = -1;
    std::vector<SynsetId> subsumers;
    for (const auto& [s, d] : fromA) {
        if (!fromB.count(s))
            continue;
        const int depth = minDepth(s);
        if (depth > bestMinDepth) {
            bestMinDepth = depth;
            subsumers.assign(1, s);
        } else if (depth == bestMinDepth) {
            subsumers.push_back(s);
        }
    }
    if (subsumers.empty())
        return 0.0;

    SynsetId lcs = subsumers.front();
    if (std::find(subsumers.begin(), subsumers.end(), a) != subsumers.end()) {
        lcs = a;
    } else if (subsumers.size() > 1) {
        std::string bestName = name(lcs);
        for (std::size_t i = 1; i < subsumers.size(); ++i)
            if (std::string n = name(subsumers[i]); n < bestName) {
                bestName = std::move(n);
                lcs = subsumers[i];
            }
    }

    const int depth = maxDepth(lcs) + 1;
    const auto fromLcs = ancestorDistances(lcs);
    const int lenA = (lcs == a ? 0 : pathThroughCommonAncestor(fromA, fromLcs)) + depth;
    const int lenB = (lcs == b ? 0 : pathThroughCommonAncestor(fromB, fromLcs)) + depth;
    return 2.0 * depth / (lenA + lenB);
}

}  // namespace scns
