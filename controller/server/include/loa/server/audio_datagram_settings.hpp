#pragma once

#include <chrono>

namespace loa::server {

// Live audio over UDP, beside the audio socket's TCP, on the same port number (see
// AudioDatagrams).
struct AudioDatagramSettings {
  int redundancy = 3;           // datagrams each frame travels in; 0: TCP only
  int frames_per_datagram = 4;  // new frames per datagram (80 ms)
  std::chrono::milliseconds forget_after{10000};           // a station not heard from
  std::chrono::milliseconds hello_clock_tolerance{60000};  // a hello's stamp against our clock
};

}  // namespace loa::server
