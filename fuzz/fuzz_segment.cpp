// libFuzzer target for the segment codec: any bytes, as a whole segment and as one block
// fetched alone, must give a value or an error, never a crash, a leak or undefined
// behaviour. Seeds: fuzz/corpus/segment (the golden segments and their blocks).

#include "segment/segment.h"

#include <cstdint>
#include <cstdlib>

using namespace confab::segment;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));

    if (const auto block = decodeBlock(input)) {
        // A decoded block must be consistent with what it claims.
        if (block->records.size() != block->info.count || block->info.length != input.size())
            std::abort();
    }

    if (const auto directory = readDirectory(input)) {
        for (const BlockInfo &info : *directory) {
            if (info.offset < 0 || info.length < 0 || info.offset + info.length > input.size())
                std::abort();
            const auto block = decodeBlock(input.sliced(info.offset, info.length), info.appId,
                                           info.convoId);
            if (block && block->records.size() != info.count)
                std::abort();
        }
    }
    return 0;
}
