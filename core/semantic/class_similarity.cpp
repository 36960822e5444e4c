#include "semantic/class_similarity.h"

#include <algorithm>
#include <cctype>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "common/errors.h"
#include "semantic/class_synsets.h"
#include "semantic/similarity_csv.h"
#include "semantic/word_vectors.h"

namespace scns {

namespace {

// labels as CPU int64, checked against N and C; `what` names the caller in messages.
at::Tensor checkedLabels(const at::Tensor& labels, std::int64_t n, std::int64_t numClasses, const std::string& what)
{
    if (labels.dim() != 1 || labels.size(0) != n || !at::isIntegralType(labels.scalar_type(), false))
        throw DataError(what + ": expected " + std::to_string(n) + " integer labels (one per row), found shape "
                        + c10::str(labels.sizes()) + " of " + c10::toString(labels.scalar_type()));
    at::Tensor l = labels.to(at::kLong);
    if (n > 0) {
        const auto lo = l.min().item<std::int64_t>(), hi = l.max().item<std::int64_t>();
        if (lo < 0 || hi >= numClasses)
            throw DataError(what + ": expected labels in [0, " + std::to_string(numClasses) + "), found "
                            + std::to_string(lo < 0 ? lo : hi));
    }
    return l;
}

// Per-class means of rows: N x d -> C x d; throws when a class has no rows.
at::Tensor classMeans(const at::Tensor& rows, const at::Tensor& labels, std::int64_t numClasses, const std::string& what)
{
    const at::Tensor counts = at::bincount(labels.cpu(), {}, numClasses);
    for (std::int64_t c = 0; c < numClasses; ++c)
        if (counts[c].item<std::int64_t>() == 0)
            throw DataError(what + ": expected samples of every class, found none of class " + std::to_string(c));
    at::Tensor sums = at::zeros({numClasses, rows.size(1)}, rows.options());
    sums.index_add_(0, labels.to(rows.device()), rows);
    return sums / counts.to(rows.device(), rows.scalar_type()).unsqueeze(1);
}

// Cosines between rows, C x d -> C x C float32 with an exact unit diagonal.
at::Tensor rowCosines(const at::Tensor& vectors)
{
    const at::Tensor unit = vectors / vectors.norm(2, 1, true).clamp_min(1e-12);
    at::Tensor s = at::mm(unit, unit.t()).clamp(-1.0, 1.0).to(at::kFloat);
    s.fill_diagonal_(1.0);
    return (s + s.t()) / 2;  // exact symmetry whatever the BLAS rounding
}

}  // namespace

at::Tensor wordnetClassSimilarity(const std::vector<std::string>& synsets, const WordNet& wordnet)
{
    const auto C = static_cast<std::int64_t>(synsets.size());
    std::vector<SynsetId> ids;
    for (std::int64_t c = 0; c < C; ++c) {
        try {
            ids.push_back(wordnet.lookup(synsets[c]));
        } catch (const DataError& e) {
            throw DataError("class " + std::to_string(c) + ": " + e.what());
        }
    }
    at::Tensor s = at::ones({C, C}, at::kDouble);
    auto a = s.accessor<double, 2>();
    for (std::int64_t i = 0; i < C; ++i)
        for (std::int64_t j = i + 1; j < C; ++j)
            a[i][j] = a[j][i] = wordnet.wupSimilarity(ids[i], ids[j]);
    return s.to(at::kFloat);
}

at::Tensor wordnetClassSimilarity(const std::string& dataset, const std::vector<std::string>& classNamesOrIds)
{
    return wordnetClassSimilarity(classSynsets(dataset, classNamesOrIds), WordNet::system());
}

at::Tensor visualClassSimilarity(const at::Tensor& embeddings, const at::Tensor& labels, std::int64_t numClasses)
{
    const std::string what = "visual class similarity";
    if (embeddings.dim() != 2 || !at::isFloatingType(embeddings.scalar_type()) || numClasses < 1)
        throw DataError(what + ": expected N x d float embeddings and at least one class, found shape "
                        + c10::str(embeddings.sizes()));
    at::NoGradGuard noGrad;
    const at::Tensor l = checkedLabels(labels, embeddings.size(0), numClasses, what);
    const auto type = embeddings.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
    return rowCosines(classMeans(embeddings.detach().to(type), l, numClasses, what));
}

at::Tensor confusionClassSimilarity(const at::Tensor& logits, const at::Tensor& labels)
{
    const std::string what = "confusion class similarity";
    if (logits.dim() != 2 || !at::isFloatingType(logits.scalar_type()) || logits.size(1) < 1)
        throw DataError(what + ": expected N x C float logits, found shape " + c10::str(logits.sizes()));
    at::NoGradGuard noGrad;
    const std::int64_t C = logits.size(1);
    const at::Tensor l = checkedLabels(labels, logits.size(0), C, what);
    const auto type = logits.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
    const at::Tensor m = classMeans(at::softmax(logits.detach().to(type), 1), l, C, what);
    return ((m + m.t()) / 2).to(at::kFloat);
}

at::Tensor fileClassSimilarity(const std::filesystem::path& file, const std::vector<std::string>& classNames)
{
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto C = static_cast<std::int64_t>(classNames.size());
    if (C < 1)
        throw DataError(file.string() + ": expected at least one class name to read similarities for, found none");
    if (ext == ".csv") {
        std::vector<double> values = readSimilarityCsv(file, classNames);
        at::Tensor s = at::from_blob(values.data(), {C, C}, at::kDouble).to(at::kFloat);
        return (s + s.t()) / 2;  // within 1e-6 already; make it exact
    }
    const auto vectors = classWordVectors(file, classNames);
    const auto d = static_cast<std::int64_t>(vectors.front().size());
    at::Tensor m = at::empty({C, d}, at::kDouble);
    auto a = m.accessor<double, 2>();
    for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t i = 0; i < d; ++i)
            a[c][i] = static_cast<double>(vectors[c][i]);
    return rowCosines(m);
}

}  // namespace scns
