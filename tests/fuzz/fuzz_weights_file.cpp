// readWeightsFile (core/models/weights_file.h): any file given as weights (--teacher,
// --reference-weights, scns evaluate). It takes a path, so each input is written to a file.
#include "common/errors.h"
#include "fuzz_support.h"
#include "models/weights_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = scns::fuzz::scratch() / "weights.pth";
    scns::fuzz::writeFile(file, data, size);
    try {
        const scns::WeightsFile weights = scns::readWeightsFile(file);
        for (const auto& [name, tensor] : weights.tensors)
            (void)tensor.numel();
    } catch (const scns::Error&) {
    }
    return 0;
}
