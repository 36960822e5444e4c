// readIdxDataset (core/data/idx_reader.h): an IDX image file and an IDX label file, each
// plain or gzip'd (detected from content). Input: Parts: images, then labels.
#include "common/errors.h"
#include "data/idx_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto folder = scns::fuzz::freshFolder("idx");
    scns::fuzz::Parts parts{data, size};
    scns::fuzz::writeFile(folder / "t10k-images-idx3-ubyte", parts.next());
    scns::fuzz::writeFile(folder / "t10k-labels-idx1-ubyte", parts.rest());
    try {
        const scns::ImageSet set = scns::readIdxDataset(folder, scns::Split::Test, {"a", "b", "c"});
        (void)set.count;
    } catch (const scns::Error&) {
    }
    return 0;
}
