#pragma once
// WordNet 3.0 noun taxonomy read from the database files of Debian's wordnet-base
// (/usr/share/wordnet, format: man 5 wndb). Plain C++ (no LibTorch): only what class
// similarity needs, i.e. noun synsets, their lemmas and their hypernym edges.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace scns {

// Index of a noun synset inside one WordNet object (not the file offset).
using SynsetId = std::int32_t;

class WordNet {
public:
    // Reads data.noun and index.noun from folder. Throws DataError naming the file and line
    // for a missing or malformed file. The whole noun database loads in well under a second.
    static WordNet load(const std::filesystem::path& folder);

    // The process-wide copy from defaultFolder(), loaded once on first use (thread-safe).
    static const WordNet& system();

    // $SCNS_WORDNET_DIR if set, else $WNSEARCHDIR if set, else /usr/share/wordnet.
    static std::filesystem::path defaultFolder();

    const std::filesystem::path& folder() const { return m_folder; }
    std::size_t size() const { return m_synsets.size(); }

    // "dog.n.01" (any lemma of the synset, NLTK style: lemma.pos.sense, case-insensitive,
    // spaces or underscores) or a WordNet id "n02084071" ('n' + 8-digit data.noun offset).
    // Throws DataError saying what is missing (lemma, sense number, offset).
    SynsetId lookup(const std::string& nameOrWnid) const;
    std::optional<SynsetId> find(const std::string& nameOrWnid) const;

    // NLTK's canonical name: first lemma lower-cased, ".n.", its sense number among that
    // lemma's noun senses (two digits), e.g. "dog.n.01" for the synset of domestic_dog.n.01.
    std::string name(SynsetId id) const;
    std::string wnid(SynsetId id) const;  // "n" + 8-digit offset
    std::uint32_t offset(SynsetId id) const { return m_synsets.at(id).offset; }
    const std::vector<std::string>& lemmas(SynsetId id) const { return m_synsets.at(id).lemmas; }
    // Direct hypernyms, '@' and instance '@i' alike (NLTK walks both for depths and paths).
    const std::vector<SynsetId>& parents(SynsetId id) const { return m_synsets.at(id).parents; }

    // Longest / shortest number of hypernym edges from id up to a root (entity.n.01: 0).
    int maxDepth(SynsetId id) const { return m_synsets.at(id).maxDepth; }
    int minDepth(SynsetId id) const { return m_synsets.at(id).minDepth; }

    // Wu-Palmer similarity exactly as NLTK 3.x Synset.wup_similarity computes it for nouns
    // (see wordnet_similarity.cpp). In (0, 1]. Like NLTK, a synset compared with itself can
    // score below 1 (dog.n.01: 26/28) when a hypernym has a greater minimum depth. 0 when the
    // two share no hypernym (never for WordNet 3.0 nouns, which all reach entity.n.01).
    double wupSimilarity(SynsetId a, SynsetId b) const;

    // Hypernym closure of id (id included) with the fewest edges to each ancestor.
    std::unordered_map<SynsetId, int> ancestorDistances(SynsetId id) const;

private:
    struct Synset {
        std::uint32_t offset = 0;
        std::vector<std::string> lemmas;  // as written in data.noun (case kept)
        std::vector<SynsetId> parents;
        int maxDepth = -1;
        int minDepth = -1;
    };

    void computeDepths();
    std::optional<SynsetId> findByName(const std::string& name, std::string* why) const;

    std::filesystem::path m_folder;
    std::vector<Synset> m_synsets;
    std::unordered_map<std::uint32_t, SynsetId> m_byOffset;
    // index.noun: lower-case lemma -> its noun synsets in sense order (sense 1 first).
    std::unordered_map<std::string, std::vector<SynsetId>> m_senses;

    friend class WordNetReader;
};

}  // namespace scns
