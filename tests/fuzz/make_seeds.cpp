// Writes the seeds that our own writers make: a run store with two runs (metrics, a
// checkpoint row, a similarity matrix, a confusion matrix), JPEGs of a few kinds, and the
// default run configuration. Usage: fuzz_make_seeds <corpus folder>. make-corpus.sh runs it.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <turbojpeg.h>
#include <vector>

#include "store/run_store.h"
#include "train/run_config.h"

namespace fs = std::filesystem;

static void writeBytes(const fs::path& path, const void* data, std::size_t size)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary).write(static_cast<const char*>(data), std::streamsize(size));
}

static std::vector<unsigned char> jpeg(int w, int h, bool grey, int subsampling, int flags)
{
    std::vector<unsigned char> pixels(std::size_t(w) * h * (grey ? 1 : 3));
    for (std::size_t i = 0; i < pixels.size(); ++i)
        pixels[i] = static_cast<unsigned char>((i * 37) % 251);
    tjhandle handle = tjInitCompress();
    unsigned char* out = nullptr;
    unsigned long size = 0;
    std::vector<unsigned char> bytes;
    if (tjCompress2(handle, pixels.data(), w, 0, h, grey ? TJPF_GRAY : TJPF_RGB, &out, &size, subsampling, 75, flags) == 0)
        bytes.assign(out, out + size);
    tjFree(out);
    tjDestroy(handle);
    return bytes;
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus folder>\n", argv[0]);
        return 2;
    }
    const fs::path corpus = argv[1];

    // Store: made in a scratch folder, only the database file is kept (WAL checkpointed on close).
    const fs::path scratch = fs::temp_directory_path() / "scns-fuzz-seeds";
    fs::remove_all(scratch);
    {
        scns::RunStore store(scratch / "runs.sqlite");
        const auto a = store.createRun("teacher", scns::toJsonText(scns::RunConfig{}), 1);
        store.markRunning(a);
        store.appendMetrics(a, {{0, 1, "train/loss", 2.5}, {1, 2, "test/top1", 0.5}, {1, 2, "train/loss", 1e300}});
        store.addCheckpoint(a, 1, "checkpoints/run-1/epoch-1.pt");
        store.addClassSimilarity(a, 1, "wordnet", {"a", "b"}, {1.f, .5f, .5f, 1.f});
        store.addTestConfusion(a, 1, {"a", "b"}, {3, 1, 0, 4});
        store.finishRun(a, scns::RunStatus::Finished);
        const auto b = store.createRun("student", "{}", 2, a);
        store.setNotes(b, "notes");
        store.setTags(b, "x,y");
    }
    std::ifstream in(scratch / "runs.sqlite", std::ios::binary);
    const std::string db{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    writeBytes(corpus / "fuzz_store" / "two-runs.sqlite", db.data(), db.size());
    fs::remove_all(scratch);

    struct Jpeg {
        const char* name;
        int w, h;
        bool grey;
        int sub, flags;
    };
    for (const Jpeg& j : {Jpeg{"rgb-64-444.jpg", 64, 64, false, TJSAMP_444, 0},
                          Jpeg{"rgb-17x9-420.jpg", 17, 9, false, TJSAMP_420, 0},
                          Jpeg{"grey-8.jpg", 8, 8, true, TJSAMP_GRAY, 0},
                          Jpeg{"progressive-16.jpg", 16, 16, false, TJSAMP_422, TJFLAG_PROGRESSIVE}}) {
        const auto bytes = jpeg(j.w, j.h, j.grey, j.sub, j.flags);
        writeBytes(corpus / "fuzz_jpeg" / j.name, bytes.data(), bytes.size());
    }

    const std::string config = scns::toJsonText(scns::RunConfig{});
    writeBytes(corpus / "fuzz_run_config" / "default.json", config.data(), config.size());
    return 0;
}
