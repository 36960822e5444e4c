// parsePickle (core/io/pickle.h): any bytes, as a CIFAR Python batch or a checkpoint's data.pkl.
// Also walks what was parsed (describe, textOrBytes, find), as callers do.
#include "common/errors.h"
#include "io/pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const scns::Bytes bytes(data, data + size);
        const scns::Pickle pickle = scns::parsePickle(bytes, "fuzz.pkl");
        const scns::PickleValue& root = pickle.root();
        (void)root.describe();
        (void)root.textOrBytes();
        (void)root.find("data");
        for (const auto& [key, value] : root.entries) {
            (void)key->describe();
            (void)value->describe();
        }
        for (const auto* item : root.items)
            (void)item->describe();
    } catch (const scns::Error&) {
    }
    return 0;
}
