// readSimilarityCsv (core/semantic/similarity_csv.h): a class similarity CSV (similarity =
// file). Input: a byte choosing the class count C (1-4), then the file.
#include <string>
#include <vector>

#include "common/errors.h"
#include "fuzz_support.h"
#include "semantic/similarity_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    static const std::vector<std::string> all{"airplane", "automobile", "bird", "cat"};
    const std::vector<std::string> names(all.begin(), all.begin() + 1 + data[0] % 4);
    const auto file = scns::fuzz::scratch() / "similarity.csv";
    scns::fuzz::writeFile(file, data + 1, size - 1);
    try {
        const auto matrix = scns::readSimilarityCsv(file, names);
        (void)matrix.size();
    } catch (const scns::Error&) {
    }
    return 0;
}
