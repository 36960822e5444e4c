// The Python version: each batch is a pickled dict {data: uint8 ndarray N x 3072, labels
// (CIFAR-10) or fine_labels + coarse_labels (CIFAR-100): lists of ints}. The originals were
// written by Python 2 (keys and the pixel buffer as byte strings); files re-pickled by
// Python 3 use str or bytes keys and, at protocols 0-2, _codecs.encode for every bytes value
// (buffer, bytes keys, bytes class names). All read alike.
#include "common/errors.h"
#include "common/message_text.h"
#include "data/cifar_formats.h"
#include "io/pickle_convert.h"

namespace scns::cifar {

namespace {

std::string quoted(const std::string& s)
{
    return "'" + s + "'";
}

const PickleValue& requireDict(const Pickle& pickle, const std::string& sourceName)
{
    if (pickle->kind != PickleKind::Dict)
        throw DataError(sourceName + ": expected a pickled dict, found a " + pickle->describe());
    return pickle.root();
}

const PickleValue& requireKey(const PickleValue& dict, const std::string& key, const std::string& sourceName)
{
    // Keys are str (Python 3), bytes (Python 2) or, from Python 3 at protocols 0-2 with
    // b'data' keys, _codecs.encode objects: all name the same key.
    if (const PickleValue* v = pickleDictFind(dict, key, sourceName))
        return *v;
    std::string found;
    for (std::size_t i = 0; i < dict.entries.size() && i < 12; ++i) {
        std::string text;
        found += (i ? ", " : "")
                 + (pickleText(*dict.entries[i].first, sourceName, text) ? quoteForMessage(text, 40)
                                                                          : dict.entries[i].first->describe());
    }
    throw DataError(sourceName + ": missing key " + quoted(key) + " (keys found: " + (found.empty() ? "none" : found)
                    + ")");
}

std::vector<std::string> readNames(const PickleValue& meta, const std::string& key, std::int64_t expected,
                                   const std::string& sourceName)
{
    auto names = pickleStringSequence(requireKey(meta, key, sourceName), sourceName + ": key " + quoted(key));
    checkNameCount(names, expected, sourceName + ": key " + quoted(key), "class names");
    return names;
}

std::vector<std::int64_t> readLabels(const PickleValue& batch, const std::string& key, std::int64_t count,
                                     std::int64_t numClasses, const std::string& sourceName)
{
    const std::string context = sourceName + ": key " + quoted(key);
    auto labels = pickleIntSequence(requireKey(batch, key, sourceName), context);
    if (static_cast<std::int64_t>(labels.size()) != count)
        throw DataError(context + ": " + std::to_string(labels.size()) + " labels for " + std::to_string(count)
                        + " images");
    checkLabels(labels, numClasses, context);
    return labels;
}

}  // namespace

ImageSet readPython(const std::filesystem::path& versionFolder, CifarVariant variant, Split split)
{
    const bool is100 = variant == CifarVariant::Cifar100;
    ImageSet set;
    set.channels = 3;
    set.height = side;
    set.width = side;

    const std::filesystem::path metaPath = versionFolder / (is100 ? "meta" : "batches.meta");
    {
        const std::string metaSource = metaPath.string();  // named: see requireDict's use below
        const Pickle root = readPickleFile(metaPath);
        const PickleValue& meta = requireDict(root, metaSource);
        if (is100) {
            set.classNames = readNames(meta, "fine_label_names", numFine, metaSource);
            set.coarseClassNames = readNames(meta, "coarse_label_names", numCoarse, metaSource);
        } else {
            set.classNames = readNames(meta, "label_names", numClasses10, metaSource);
        }
    }

    for (const std::string& batchName : batchNames(variant, split)) {
        const std::filesystem::path path = versionFolder / batchName;
        const std::string source = path.string();
        const Pickle root = readPickleFile(path);
        const PickleValue& batch = requireDict(root, source);

        NumpyArray data = pickleNumpyArray(requireKey(batch, "data", source), source + ": key 'data'");
        const bool rows = data.shape.size() == 2 && data.shape[1] == imageBytes;
        const bool planes = data.shape.size() == 4 && data.shape[1] == 3 && data.shape[2] == side
                            && data.shape[3] == side;
        if (data.dtype != "u1" || data.fortranOrder || !(rows || planes))
            throw DataError(source + ": key 'data': expected a C-order uint8 array of shape (N, 3072) or "
                            "(N, 3, 32, 32), found shape " + data.shapeText() + ", dtype " + data.dtype
                            + (data.fortranOrder ? ", Fortran order" : ""));
        const std::int64_t count = data.shape[0];

        const auto fine = readLabels(batch, is100 ? "fine_labels" : "labels", count,
                                     static_cast<std::int64_t>(set.classNames.size()), source);
        set.labels.insert(set.labels.end(), fine.begin(), fine.end());
        if (is100) {
            const auto coarse = readLabels(batch, "coarse_labels", count, numCoarse, source);
            set.coarseLabels.insert(set.coarseLabels.end(), coarse.begin(), coarse.end());
        }
        if (set.pixels.empty())
            set.pixels = std::move(data.data);  // CIFAR-100 has one batch: no second copy
        else
            set.pixels.insert(set.pixels.end(), data.data.begin(), data.data.end());
        set.count += count;
    }
    return set;
}

}  // namespace scns::cifar
