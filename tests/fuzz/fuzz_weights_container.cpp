// The LibTorch-free layers under readWeightsFile, for the clang fuzz build (which cannot
// compile LibTorch's headers): ZipReader (core/io/zip_reader.h) on the file, every entry read
// under a bound, and the pickle of a torch.save file parsed with PickleOptions
// (core/io/pickle.h), zip format (an entry named .../data.pkl) or legacy (pickles back to back).
// fuzz_weights_file covers the whole reader, tensors included, in the main build.
#include "common/errors.h"
#include "fuzz_support.h"
#include "io/pickle.h"
#include "io/zip_reader.h"

namespace {

void parseSome(const scns::Bytes& bytes, const std::string& name)
{
    scns::PickleOptions options;
    for (int i = 0; i < 4 && options.offset < bytes.size(); ++i) {
        std::size_t end = 0;
        const scns::Pickle p = scns::parsePickle(bytes, name, options, &end);
        (void)p->describe();
        if (end <= options.offset)
            break;
        options.offset = end;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = scns::fuzz::scratch() / "weights.pth";
    scns::fuzz::writeFile(file, data, size);
    try {
        if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
            const scns::ZipReader zip(file);
            int n = 0;
            for (const scns::ZipEntry& entry : zip.entries()) {
                if (++n > 64)
                    break;
                const scns::Bytes bytes = zip.read(entry, std::uint64_t(16) << 20);
                if (entry.name.ends_with("data.pkl"))
                    parseSome(bytes, entry.name);
            }
        } else {
            parseSome(scns::Bytes(data, data + size), file.string());
        }
    } catch (const scns::Error&) {
    }
    return 0;
}
