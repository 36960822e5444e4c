#include "data/tiny_imagenet.h"

#include "common/errors.h"
#include "common/message_text.h"
#include "io/file_bytes.h"
#include "io/jpeg_decoder.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace scns {

namespace {

constexpr int side = 64;
constexpr std::int64_t imageBytes = 3 * side * side;
// A 64x64 JPEG is a few kB; even an uncompressed-quality one stays far below this.
constexpr std::uintmax_t maxJpegBytes = 4u << 20;

struct ImageFile {
    std::filesystem::path path;
    std::int64_t label = 0;
};

std::string trimmed(const std::string& s)
{
    const auto begin = s.find_first_not_of(" \t\r");
    if (begin == std::string::npos)
        return {};
    return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

// Tiny-ImageNet's text files are small (words.txt, the largest, is about 2.6 MB).
constexpr std::uintmax_t maxTextFileBytes = 64ull << 20;

std::vector<std::string> readLines(const std::filesystem::path& path)
{
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > maxTextFileBytes)
        throw DataError(path.string() + ": " + std::to_string(size) + " bytes, more than the "
                        + std::to_string(maxTextFileBytes) + " a Tiny-ImageNet text file may hold");
    const Bytes bytes = readFileBytes(path);
    std::vector<std::string> lines;
    std::string line;
    for (const std::uint8_t c : bytes) {
        if (c == '\n') {
            lines.push_back(std::move(line));
            line.clear();
        } else {
            line += static_cast<char>(c);
        }
    }
    if (!line.empty())
        lines.push_back(std::move(line));
    return lines;
}

std::filesystem::path locate(const std::filesystem::path& folder)
{
    std::error_code ec;
    if (std::filesystem::is_regular_file(folder / "wnids.txt", ec))
        return folder;
    if (std::filesystem::is_regular_file(folder / "tiny-imagenet-200" / "wnids.txt", ec))
        return folder / "tiny-imagenet-200";
    throw DataError(folder.string() + ": no Tiny-ImageNet data found: missing wnids.txt; looked for "
                    + (folder / "wnids.txt").string() + " and " + (folder / "tiny-imagenet-200" / "wnids.txt").string());
}

std::vector<std::string> readWnids(const std::filesystem::path& path)
{
    std::vector<std::string> wnids;
    for (const std::string& line : readLines(path)) {
        std::string id = trimmed(line);
        if (id.empty())
            continue;
        if (!isValidUtf8(id))
            throw DataError(path.string() + ": class id " + quoteForMessage(id) + " is not valid UTF-8");
        if (std::find(wnids.begin(), wnids.end(), id) != wnids.end())
            throw DataError(path.string() + ": class " + truncateForMessage(id) + " is listed twice");
        wnids.push_back(std::move(id));
    }
    if (wnids.empty())
        throw DataError(path.string() + ": no class ids (expected one WordNet id per line)");
    return wnids;
}

// words.txt: "<wnid>\t<name>, <synonym>, ..."; the first name is the class name.
std::vector<std::string> readClassNames(const std::filesystem::path& path, const std::vector<std::string>& wnids)
{
    std::unordered_map<std::string, std::string> names;
    for (const std::string& line : readLines(path)) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos)
            continue;
        const std::string rest = line.substr(tab + 1);
        names.emplace(trimmed(line.substr(0, tab)), trimmed(rest.substr(0, rest.find(','))));
    }
    std::vector<std::string> out;
    for (const std::string& id : wnids) {
        const auto it = names.find(id);
        if (it == names.end() || it->second.empty())
            throw DataError(path.string() + ": no name for class " + truncateForMessage(id));
        if (!isValidUtf8(it->second))
            throw DataError(path.string() + ": the name of class " + quoteForMessage(id) + " is not valid UTF-8: "
                            + quoteForMessage(it->second));
        out.push_back(it->second);
    }
    return out;
}

bool isJpegName(const std::filesystem::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".jpeg" || ext == ".jpg";
}

std::vector<ImageFile> trainFiles(const std::filesystem::path& root, const std::vector<std::string>& wnids)
{
    std::vector<ImageFile> files;
    for (std::size_t label = 0; label < wnids.size(); ++label) {
        const std::filesystem::path dir = root / "train" / wnids[label] / "images";
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec))
            throw DataError(dir.string() + ": folder not found (expected the training images of class "
                            + wnids[label] + ")");
        std::vector<std::filesystem::path> paths;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
            if (entry.is_regular_file() && isJpegName(entry.path()))
                paths.push_back(entry.path());
        if (ec)
            throw DataError(dir.string() + ": cannot list the folder: " + ec.message());
        if (paths.empty())
            throw DataError(dir.string() + ": no JPEG images found for class " + wnids[label]);
        std::sort(paths.begin(), paths.end());
        for (auto& p : paths)
            files.push_back({std::move(p), static_cast<std::int64_t>(label)});
    }
    return files;
}

// val_annotations.txt: "<file>\t<wnid>\t<x0>\t<y0>\t<x1>\t<y1>" per line.
std::vector<ImageFile> valFiles(const std::filesystem::path& root, const std::vector<std::string>& wnids)
{
    std::unordered_map<std::string, std::int64_t> labelOf;
    for (std::size_t i = 0; i < wnids.size(); ++i)
        labelOf.emplace(wnids[i], static_cast<std::int64_t>(i));
    const std::filesystem::path annotations = root / "val" / "val_annotations.txt";
    const auto lines = readLines(annotations);
    std::vector<ImageFile> files;
    for (std::size_t n = 0; n < lines.size(); ++n) {
        const std::string line = trimmed(lines[n]);
        if (line.empty())
            continue;
        const auto tab1 = line.find('\t');
        const auto tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
        if (tab1 == std::string::npos)
            throw DataError(annotations.string() + ": line " + std::to_string(n + 1)
                            + ": expected '<file>\\t<wnid>\\t...', found " + quoteForMessage(line));
        const std::string file = line.substr(0, tab1);
        // The file must lie inside val/images: an absolute path or one climbing out with ".."
        // (a crafted annotation once opened /etc/passwd) is refused, not followed.
        const std::filesystem::path relative(file);
        const std::filesystem::path normal = relative.lexically_normal();
        if (file.empty() || relative.has_root_path() || normal.empty() || *normal.begin() == ".."
            || normal == ".")
            throw DataError(annotations.string() + ": line " + std::to_string(n + 1) + ": image path "
                            + quoteForMessage(file) + " is not a file name inside "
                            + (root / "val" / "images").string() + " (absolute paths and '..' are refused)");
        const std::string wnid = trimmed(line.substr(tab1 + 1, tab2 == std::string::npos ? tab2 : tab2 - tab1 - 1));
        const auto it = labelOf.find(wnid);
        if (it == labelOf.end())
            throw DataError(annotations.string() + ": line " + std::to_string(n + 1) + ": class "
                            + truncateForMessage(wnid) + " is not in wnids.txt");
        files.push_back({root / "val" / "images" / file, it->second});
    }
    if (files.empty())
        throw DataError(annotations.string() + ": no annotated images");
    return files;
}

// Decodes files[i] into out + i * imageBytes (channel-major), on several threads. The error
// reported is that of the lowest-numbered bad file, whatever the thread timing.
void decodeAll(const std::vector<ImageFile>& files, std::uint8_t* out, int threads)
{
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex errorMutex;
    std::size_t errorIndex = files.size();
    std::exception_ptr error;

    auto work = [&] {
        try {
            JpegDecoder decoder;
            std::vector<std::uint8_t> rgb(imageBytes);
            while (!failed.load(std::memory_order_relaxed)) {
                const std::size_t i = next.fetch_add(1);
                if (i >= files.size())
                    return;
                try {
                    const std::string name = files[i].path.string();
                    std::error_code ec;
                    const std::uintmax_t fileSize = std::filesystem::file_size(files[i].path, ec);
                    if (!ec && fileSize > maxJpegBytes)
                        throw DataError(name + ": " + std::to_string(fileSize) + " bytes, more than the "
                                        + std::to_string(maxJpegBytes) + " a 64x64 JPEG may take");
                    const Bytes jpeg = readFileBytes(files[i].path);
                    const JpegSize size = decoder.readSize(jpeg, name);
                    if (size.width != side || size.height != side)
                        throw DataError(name + ": expected 64x64, found " + std::to_string(size.width) + "x"
                                        + std::to_string(size.height));
                    decoder.decodeRgb(jpeg, name, size, rgb.data());
                    std::uint8_t* dst = out + static_cast<std::int64_t>(i) * imageBytes;
                    for (int p = 0; p < side * side; ++p)
                        for (int c = 0; c < 3; ++c)
                            dst[c * side * side + p] = rgb[p * 3 + c];
                } catch (...) {
                    // Indices are handed out in order, so every lower one is already being
                    // decoded: stopping here still finds the lowest bad file.
                    std::lock_guard lock(errorMutex);
                    if (i < errorIndex) {
                        errorIndex = i;
                        error = std::current_exception();
                    }
                    failed = true;
                }
            }
        } catch (...) {  // the decoder itself could not be created
            std::lock_guard lock(errorMutex);
            if (!error)
                error = std::current_exception();
            failed = true;
        }
    };

    std::vector<std::thread> pool;
    const auto count = static_cast<std::size_t>(std::max(1, threads));
    for (std::size_t t = 1; t < std::min(count, files.size()); ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    if (error)
        std::rethrow_exception(error);
}

}  // namespace

ImageSet readTinyImageNet(const std::filesystem::path& folder, Split split, int threads)
{
    const std::filesystem::path root = locate(folder);
    ImageSet set;
    set.classIds = readWnids(root / "wnids.txt");
    set.classNames = readClassNames(root / "words.txt", set.classIds);

    const std::vector<ImageFile> files = split == Split::Train ? trainFiles(root, set.classIds) : valFiles(root, set.classIds);
    set.count = static_cast<std::int64_t>(files.size());
    set.channels = 3;
    set.height = side;
    set.width = side;
    set.pixels.resize(static_cast<std::size_t>(set.count * imageBytes));
    set.labels.reserve(files.size());
    for (const ImageFile& f : files)
        set.labels.push_back(f.label);

    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    decodeAll(files, set.pixels.data(), threads);
    return set;
}

}  // namespace scns
