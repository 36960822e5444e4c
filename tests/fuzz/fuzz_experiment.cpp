// loadExperimentConfig (core/train/experiment.h): an experiment file (scns experiment). It
// takes a path, so each input is written to a file. Every student and seed configuration is
// built, as the experiment would.
#include "common/errors.h"
#include "fuzz_support.h"
#include "train/experiment.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = scns::fuzz::scratch() / "experiment.json";
    scns::fuzz::writeFile(file, data, size);
    try {
        const scns::ExperimentConfig x = scns::loadExperimentConfig(file.string());
        if (x.teacherTrain.is_object())
            (void)x.teacherConfig();
        for (std::size_t i = 0; i < x.students.size() && i < 16; ++i)
            for (std::size_t s = 0; s < x.seeds.size() && s < 4; ++s)
                (void)x.studentConfig(i, x.seeds[s]);
    } catch (const scns::Error&) {
    }
    return 0;
}
