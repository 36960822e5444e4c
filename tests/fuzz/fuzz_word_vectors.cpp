// classWordVectors / readWordVectors (core/semantic/word_vectors.h): a GloVe or word2vec
// text file given as similarity = file.
#include <string>
#include <vector>

#include "common/errors.h"
#include "fuzz_support.h"
#include "semantic/word_vectors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<std::string> names{"T-shirt/top", "cat", "aquarium_fish"};
    const auto file = scns::fuzz::scratch() / "vectors.txt";
    scns::fuzz::writeFile(file, data, size);
    try {
        const auto vectors = scns::classWordVectors(file, names);
        (void)vectors.size();
    } catch (const scns::Error&) {
    }
    return 0;
}
