/* A stand-in for libnvidia-ml.so.1 in tests: two GPUs with fixed readings, built with `cc -shared -fPIC`.
   GPU 0 looks like the RTX PRO 6000 capture (llama-server holding 65710 MiB at P8, 3.97 W); GPU 1 like a
   GB10 (unified memory: no memory info, no energy counter) with one process whose memory is not available. */
#include <stdlib.h>
#include <string.h>

typedef struct { int index; } device_t;
typedef struct { unsigned long long total, free, used; } memory_t;
typedef struct { unsigned int gpu, memory; } utilization_t;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId; } process_t;

static device_t devices[2] = {{0}, {1}};
static int initialised = 0;
#define MIB (1024ULL * 1024ULL)

int nvmlInit_v2(void) {
  const char *fail = getenv("FAKE_NVML_INIT_FAIL");
  if (fail && *fail) return atoi(fail);
  initialised = 1;
  return 0;
}
int nvmlShutdown(void) { initialised = 0; return 0; }
const char *nvmlErrorString(int code) {
  switch (code) {
    case 0: return "Success";
    case 3: return "Not Supported";
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    default: return "Unknown Error";
  }
}
int nvmlDeviceGetCount_v2(unsigned int *count) { if (!initialised) return 1; *count = 2; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int index, device_t **device) {
  if (index > 1) return 2;
  *device = &devices[index];
  return 0;
}
static int copy(char *out, unsigned int length, const char *text) {
  if (strlen(text) + 1 > length) return 7;
  strcpy(out, text);
  return 0;
}
int nvmlDeviceGetName(device_t *d, char *name, unsigned int length) {
  return copy(name, length, d->index == 0 ? "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition" : "NVIDIA GB10");
}
int nvmlDeviceGetUUID(device_t *d, char *uuid, unsigned int length) {
  return copy(uuid, length, d->index == 0 ? "GPU-12345678-aaaa-bbbb-cccc-0123456789ab" : "GPU-00000000-0000-0000-0000-0000000000b1");
}
int nvmlDeviceGetMemoryInfo(device_t *d, memory_t *memory) {
  if (d->index == 1) return 3;
  memory->total = 97887 * MIB;
  memory->used = 65720 * MIB;
  memory->free = memory->total - memory->used;
  return 0;
}
int nvmlDeviceGetPowerUsage(device_t *d, unsigned int *mw) { *mw = d->index == 0 ? 3970 : 11170; return 0; }
int nvmlDeviceGetTotalEnergyConsumption(device_t *d, unsigned long long *mj) {
  if (d->index == 1) return 3;
  *mj = 123456789012ULL;
  return 0;
}
int nvmlDeviceGetEnforcedPowerLimit(device_t *d, unsigned int *mw) { *mw = d->index == 0 ? 300000 : 140000; return 0; }
int nvmlDeviceGetPerformanceState(device_t *d, int *p) { *p = d->index == 0 ? 8 : 0; return 0; }
int nvmlDeviceGetUtilizationRates(device_t *d, utilization_t *u) { u->gpu = d->index == 0 ? 0 : 37; u->memory = 2; return 0; }
int nvmlDeviceGetTemperature(device_t *d, int sensor, unsigned int *c) {
  if (sensor != 0) return 2;
  *c = d->index == 0 ? 24 : 35;
  return 0;
}
int nvmlDeviceGetArchitecture(device_t *d, unsigned int *arch) { (void)d; *arch = 10; return 0; }
/* Only _v2 is exported, as on drivers before 510: the binding must fall back from _v3. */
int nvmlDeviceGetComputeRunningProcesses_v2(device_t *d, unsigned int *count, process_t *infos) {
  unsigned int n = 1;
  if (*count < n) { *count = n; return 7; }
  *count = n;
  memset(infos, 0, sizeof(process_t) * n);
  infos[0].pid = d->index == 0 ? 116860 : 4242;
  infos[0].usedGpuMemory = d->index == 0 ? 65710 * MIB : 0xFFFFFFFFFFFFFFFFULL;
  return 0;
}
