// RunStore (core/store/run_store.h) opening a corrupt or hostile database file: the input is
// the SQLite file; the store is opened (schema checks, migrations, interrupted runs) and every
// run is listed with its metrics and checkpoints, as `scns runs` and the browser do.
#include "common/errors.h"
#include "fuzz_support.h"
#include "store/run_store.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto folder = scns::fuzz::freshFolder("store");
    const auto file = folder / "runs.sqlite";
    scns::fuzz::writeFile(file, data, size);
    try {
        scns::RunStore store(file);
        (void)store.lastValues("test/top1");
        int n = 0;
        for (const auto& run : store.listRuns()) {
            if (++n > 8)
                break;
            (void)store.metrics(run.id);
            (void)store.metricNames(run.id);
            (void)store.checkpoints(run.id);
            (void)store.latestCheckpoint(run.id);
            (void)store.classSimilarities(run.id);
            (void)store.testConfusions(run.id);
        }
    } catch (const scns::Error&) {
    }
    return 0;
}
