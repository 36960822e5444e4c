#pragma once
// The class similarity S (C x C, float32, symmetric) from each source of docs/method.md
// "Class similarity S". Rows of S become sampling distributions in class_distribution.h.
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "semantic/wordnet.h"

namespace scns {

// Wu-Palmer (NLTK's values) between the synsets (names or WordNet ids, one per class), on the
// CPU. Off-diagonal S[i][j] = wup(synsets[i], synsets[j]) for i < j, mirrored; the diagonal
// is 1 (NLTK's wup of a synset with itself can be < 1, e.g. dog.n.01: 0.929). An unknown
// synset throws DataError naming it and its class index.
at::Tensor wordnetClassSimilarity(const std::vector<std::string>& synsets, const WordNet& wordnet);

// The same for a data set's classes through classSynsets() and WordNet::system().
at::Tensor wordnetClassSimilarity(const std::string& dataset, const std::vector<std::string>& classNamesOrIds);

// Cosine of class-mean embeddings. embeddings: N x d (any float type, any device);
// labels: N integers in [0, numClasses). Returns numClasses x numClasses float32 on the
// embeddings' device, diagonal 1. A class without samples throws DataError.
at::Tensor visualClassSimilarity(const at::Tensor& embeddings, const at::Tensor& labels, std::int64_t numClasses);

// M[c] = mean softmax(logits) over the samples of true class c; S = (M + M^T) / 2.
// logits: N x C; labels: N in [0, C). C x C float32 on the logits' device. The diagonal is
// the mean self-probability (not forced to 1: the sampler drops it anyway).
at::Tensor confusionClassSimilarity(const at::Tensor& logits, const at::Tensor& labels);

// The `file` source: a name ending in .csv (any case) is read by readSimilarityCsv(), any
// other as word vectors (classWordVectors(), cosines of the class vectors, diagonal 1).
at::Tensor fileClassSimilarity(const std::filesystem::path& file, const std::vector<std::string>& classNames);

}  // namespace scns
