// runConfigFromJsonText (core/train/run_config.h): a run configuration file or a dropped
// .json. A configuration that loads must also survive validate() and a JSON round trip.
#include <string>

#include "common/errors.h"
#include "train/run_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const scns::RunConfig config = scns::runConfigFromJsonText(text, "fuzz.json");
        config.validate();
        (void)config.displayName();
        (void)scns::runConfigFromJsonText(scns::toJsonText(config), "round-trip.json");
    } catch (const scns::Error&) {
    }
    return 0;
}
