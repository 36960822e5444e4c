#include "semantic/wordnet.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "common/errors.h"
#include "common/message_text.h"

namespace scns {

namespace {

std::string lowerUnderscored(std::string s)
{
    for (char& ch : s)
        ch = ch == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

bool isWnid(const std::string& s)
{
    return s.size() == 9 && (s[0] == 'n' || s[0] == 'N')
           && std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::filesystem::path WordNet::defaultFolder()
{
    for (const char* var : {"SCNS_WORDNET_DIR", "WNSEARCHDIR"})
        if (const char* v = std::getenv(var); v && *v)
            return v;
    return "/usr/share/wordnet";
}

const WordNet& WordNet::system()
{
    // A function-local static is initialised once even under concurrent first calls; a load
    // that throws leaves it uninitialised, so a later call (after installing) tries again.
    static const WordNet instance = [] {
        const auto folder = defaultFolder();
        if (!std::filesystem::exists(folder / "data.noun"))
            throw DataError(folder.string() + "/data.noun: expected the WordNet 3.0 database (Debian "
                            "package wordnet-base, or set SCNS_WORDNET_DIR), found no such file");
        return load(folder);
    }();
    return instance;
}

void WordNet::computeDepths()
{
    // Memoised walk; -2 marks "on the stack" so a malformed file with a cycle fails cleanly.
    auto visit = [this](auto& self, SynsetId id) -> void {
        Synset& s = m_synsets[id];
        if (s.maxDepth >= 0)
            return;
        if (s.maxDepth == -2)
            throw DataError((m_folder / "data.noun").string() + ": hypernym cycle through synset "
                            + wnid(id));
        s.maxDepth = -2;
        int maxD = 0, minD = 0;
        for (std::size_t i = 0; i < s.parents.size(); ++i) {
            self(self, s.parents[i]);
            const Synset& p = m_synsets[s.parents[i]];
            maxD = i == 0 ? p.maxDepth + 1 : std::max(maxD, p.maxDepth + 1);
            minD = i == 0 ? p.minDepth + 1 : std::min(minD, p.minDepth + 1);
        }
        s.maxDepth = maxD;
        s.minDepth = minD;
    };
    for (SynsetId id = 0; id < static_cast<SynsetId>(m_synsets.size()); ++id)
        visit(visit, id);
}

std::optional<SynsetId> WordNet::findByName(const std::string& name, std::string* why) const
{
    const auto lastDot = name.rfind('.');
    const auto posDot = lastDot == std::string::npos || lastDot == 0 ? std::string::npos : name.rfind('.', lastDot - 1);
    if (posDot == std::string::npos || posDot == 0) {
        *why = "a name like dog.n.01 (lemma.pos.sense) or a WordNet id like n02084071";
        return std::nullopt;
    }
    const std::string lemma = lowerUnderscored(name.substr(0, posDot));
    const std::string pos = name.substr(posDot + 1, lastDot - posDot - 1);
    const std::string senseText = name.substr(lastDot + 1);
    if (pos != "n" && pos != "N") {
        *why = "a noun synset (part of speech n), found part of speech '" + pos + "'";
        return std::nullopt;
    }
    int sense = 0;
    const auto [end, ec] = std::from_chars(senseText.data(), senseText.data() + senseText.size(), sense);
    if (ec != std::errc() || end != senseText.data() + senseText.size() || sense < 1) {
        *why = "a sense number >= 1 after the last dot, found '" + senseText + "'";
        return std::nullopt;
    }
    const auto it = m_senses.find(lemma);
    if (it == m_senses.end()) {
        *why = "a noun lemma '" + lemma + "' in index.noun, found none";
        return std::nullopt;
    }
    if (sense > static_cast<int>(it->second.size())) {
        *why = "sense " + std::to_string(sense) + " of '" + lemma + "', which has only "
               + counted(static_cast<long long>(it->second.size()), "noun sense", "noun senses");
        return std::nullopt;
    }
    return it->second[sense - 1];
}

std::optional<SynsetId> WordNet::find(const std::string& nameOrWnid) const
{
    std::string why;
    if (isWnid(nameOrWnid)) {
        const auto it = m_byOffset.find(static_cast<std::uint32_t>(std::stoul(nameOrWnid.substr(1))));
        return it == m_byOffset.end() ? std::nullopt : std::optional<SynsetId>(it->second);
    }
    return findByName(nameOrWnid, &why);
}

SynsetId WordNet::lookup(const std::string& nameOrWnid) const
{
    std::string why;
    if (isWnid(nameOrWnid)) {
        if (const auto id = find(nameOrWnid))
            return *id;
        why = "a noun synset at data.noun offset " + nameOrWnid.substr(1) + ", found none";
    } else if (const auto id = findByName(nameOrWnid, &why)) {
        return *id;
    }
    throw DataError("WordNet (" + m_folder.string() + ") has no synset '" + nameOrWnid + "': expected " + why);
}

std::string WordNet::name(SynsetId id) const
{
    const Synset& s = m_synsets.at(id);
    const std::string lemma = lowerUnderscored(s.lemmas.front());
    int sense = 0;
    if (const auto it = m_senses.find(lemma); it != m_senses.end()) {
        const auto pos = std::find(it->second.begin(), it->second.end(), id);
        if (pos != it->second.end())
            sense = static_cast<int>(pos - it->second.begin()) + 1;
    }
    char number[16];
    std::snprintf(number, sizeof number, "%02d", sense);
    return lemma + ".n." + number;
}

std::string WordNet::wnid(SynsetId id) const
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "n%08u", static_cast<unsigned>(m_synsets.at(id).offset));
    return buf;
}

}  // namespace scns
