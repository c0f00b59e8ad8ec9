#pragma once

#include <QByteArray>
#include <QByteArrayView>

// Redis Cluster's key -> hash slot mapping (the cluster specification): CRC16 (XMODEM) of the
// key, or of the part between its first '{' and the next '}' when that part is not empty,
// modulo 16384. Channels of sharded pub/sub map the same way.
namespace confab::redis
{

inline constexpr int kSlotCount = 16384;

[[nodiscard]] quint16 crc16(QByteArrayView data);
[[nodiscard]] int keySlot(QByteArrayView key);
// True when keySlot() hashes only a tag: "{...}" with something between the braces.
[[nodiscard]] bool hasHashTag(QByteArrayView key);
// A short tag (digits, without braces) whose slot is `slot`, so "x:{" + slotTag(s) + "}" is a
// key on slot s: per-slot keys can sit beside the conversations that hash to s.
[[nodiscard]] QByteArray slotTag(int slot);

} // namespace confab::redis
