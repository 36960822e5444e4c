// Helper for test_store_crash: writes to a run store as a training process would, forever,
// until the test kills it. Usage: store_writer_child <database>. Prints "ready" once the
// store is open. Each run gets kEpochs * kBatchesPerEpoch batches of kBatchRows metric rows,
// so a reader can check that no batch was stored in part.
#include "store/metric_writer.h"
#include "store/run_store.h"

#include <exception>
#include <iostream>
#include <string>

namespace {

constexpr int kEpochs = 5;
constexpr int kBatchesPerEpoch = 4;
constexpr int kBatchRows = 64;

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: store_writer_child <database>\n";
        return 2;
    }
    try {
        scns::RunStore store(argv[1]);
        std::cout << "ready" << std::endl;
        for (std::int64_t round = 0;; ++round) {
            const std::int64_t id = store.createRun("child run " + std::to_string(round),
                                                    R"({"epochs":5})", round);
            store.markRunning(id);
            scns::MetricWriter writer(store, id, kBatchRows);
            std::int64_t step = 0;
            for (int epoch = 0; epoch < kEpochs; ++epoch) {
                for (int batch = 0; batch < kBatchesPerEpoch; ++batch) {
                    for (int row = 0; row < kBatchRows; row += 2, ++step) {
                        writer.add(epoch, step, "loss", 1.0 / static_cast<double>(step + 1));
                        writer.add(epoch, step, "accuracy", static_cast<double>(step % 100) / 100.0);
                    }
                }
                store.addCheckpoint(id, epoch, "/tmp/child/run-" + std::to_string(id) + "-epoch-" +
                                                   std::to_string(epoch) + ".pt");
            }
            writer.flush();
            store.finishRun(id, scns::RunStatus::Finished);
        }
    } catch (const std::exception& e) {
        std::cerr << "store_writer_child: " << e.what() << '\n';
        return 1;
    }
}
