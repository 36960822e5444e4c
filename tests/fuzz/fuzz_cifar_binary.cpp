// readCifar on the binary version (core/data/cifar.h): class-name text files and the test
// batch of records. Input: a variant byte (bit 0: CIFAR-100), then Parts: the name file(s),
// then the batch.
#include "common/errors.h"
#include "data/cifar.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    const bool is100 = data[0] & 1;
    const auto folder = scns::fuzz::freshFolder("cifar-bin");
    scns::fuzz::Parts parts{data + 1, size - 1};
    if (is100) {
        scns::fuzz::writeFile(folder / "fine_label_names.txt", parts.next());
        scns::fuzz::writeFile(folder / "coarse_label_names.txt", parts.next());
        scns::fuzz::writeFile(folder / "test.bin", parts.rest());
    } else {
        scns::fuzz::writeFile(folder / "batches.meta.txt", parts.next());
        scns::fuzz::writeFile(folder / "test_batch.bin", parts.rest());
    }
    try {
        const auto set = scns::readCifar(folder, is100 ? scns::CifarVariant::Cifar100 : scns::CifarVariant::Cifar10,
                                         scns::Split::Test);
        (void)set.count;
    } catch (const scns::Error&) {
    }
    return 0;
}
