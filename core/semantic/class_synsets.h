#pragma once
// Which WordNet noun synset stands for each class of a data set. Tiny-ImageNet's class ids are
// WordNet ids already; the other data sets map class names through the tables shipped in
// resources/wordnet/<dataset>.tsv (lines "class name<TAB>synset name", '#' comments).
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "data/image_set.h"

namespace scns {

// resources/wordnet/<dataset>.tsv as found by findResource(); DataError when absent.
std::filesystem::path classSynsetTablePath(const std::string& dataset);

// The table's rows in file order. Throws DataError naming file and line for a line that is
// not two tab-separated non-empty fields, or a class listed twice.
std::vector<std::pair<std::string, std::string>> readClassSynsetTable(const std::filesystem::path& file);

// One synset (NLTK-style name or WordNet id) per class, in the order of classNames.
// dataset "tiny-imagenet": classNames must be the WordNet ids (ImageSet::classIds) and are
// returned as they are; otherwise they are looked up in the data set's table, and a
// DataError names the table and every class without a row. Names are not resolved here:
// wordnetClassSimilarity() does that against the WordNet files.
std::vector<std::string> classSynsets(const std::string& dataset, const std::vector<std::string>& classNames);

// Same from a loaded data set: its classIds where it has them, else its classNames.
std::vector<std::string> classSynsets(const std::string& dataset, const ImageSet& set);

}  // namespace scns
