// readCifar on the Python version (core/data/cifar.h): pickled meta and test batch, as
// torchvision downloads them or as re-pickled by Python 3. Input: a variant byte (bit 0:
// CIFAR-100), then Parts: the meta pickle, then the batch pickle.
#include "common/errors.h"
#include "data/cifar.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    const bool is100 = data[0] & 1;
    const auto folder = scns::fuzz::freshFolder("cifar-py");
    scns::fuzz::Parts parts{data + 1, size - 1};
    scns::fuzz::writeFile(folder / (is100 ? "meta" : "batches.meta"), parts.next());
    scns::fuzz::writeFile(folder / (is100 ? "test" : "test_batch"), parts.rest());
    try {
        const auto set = scns::readCifar(folder, is100 ? scns::CifarVariant::Cifar100 : scns::CifarVariant::Cifar10,
                                         scns::Split::Test);
        (void)set.count;
    } catch (const scns::Error&) {
    }
    return 0;
}
