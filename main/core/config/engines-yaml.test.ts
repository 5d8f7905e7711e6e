// siesta.yaml's `engines:`: each engine read with its address, TLS folder, upstream host and GPU metrics endpoint,
// and every mistake named with its line, its field and what was expected.
import { describe, expect, it } from 'vitest';
import { parseSiestaYaml } from './siesta-yaml';

const parse = (text: string) => parseSiestaYaml(text, 'siesta.yaml');
const problemsOf = (text: string) => parse(text).problems.map((p) => `${p.where}: ${p.message}`);

describe('engines in siesta.yaml', () => {
  it('reads local, tcp:// with TLS, ssh:// and Swarm engines in order', () => {
    const parsed = parse(
      [
        'engines:',
        '  home: {}',
        '  gpu2:',
        '    host: tcp://10.0.0.12:2376',
        '    tls: /etc/siesta/gpu2',
        '    gpuMetrics: http://10.0.0.12:9400/metrics',
        '  gpu3:',
        '    host: ssh://siesta@gpu3.lan',
        '    upstream: 192.168.1.33',
        '  cluster:',
        '    kind: swarm',
        '    host: unix:///var/run/docker.sock',
        'models:',
        '  - container: gpu2/whisper',
        '    upstream: gpu2.lan:9000',
      ].join('\n'),
    );
    expect(parsed.problems).toEqual([]);
    expect(
      parsed.engines?.map((e) => [
        e.name,
        e.kind,
        e.host,
        e.tlsDir,
        e.upstreamHost,
        e.gpuMetricsUrl,
        e.line,
      ]),
    ).toEqual([
      ['home', 'docker', null, null, null, null, 2],
      [
        'gpu2',
        'docker',
        'tcp://10.0.0.12:2376',
        '/etc/siesta/gpu2',
        null,
        'http://10.0.0.12:9400/metrics',
        3,
      ],
      ['gpu3', 'docker', 'ssh://siesta@gpu3.lan', null, '192.168.1.33', null, 7],
      ['cluster', 'swarm', 'unix:///var/run/docker.sock', null, null, null, 10],
    ]);
    expect(parsed.entries.map((e) => [e.name, e.container, e.upstream])).toEqual([
      ['whisper', 'gpu2/whisper', { host: 'gpu2.lan', port: 9000 }],
    ]);
  });

  it('names the line, the field and the expectation of each mistake, and skips that engine', () => {
    expect(
      problemsOf(
        [
          'engines:',
          '  gpu2:',
          '    host: http//10.0.0.12',
          '  gpu3:',
          '    hots: ssh://gpu3',
          '  gpu4:',
          '    host: unix:///run/docker.sock',
          '    tls: /etc/certs',
          '  gpu5:',
          '    kind: kubernetes',
          '  gpu6:',
          '    gpuMetrics: gpu6:9400',
        ].join('\n'),
      ),
    ).toEqual([
      'siesta.yaml:3: host="http//10.0.0.12": expected unix:///path/docker.sock, tcp://host:port or ssh://user@host',
      'siesta.yaml:5: unknown key "hots" (did you mean "host"?); known keys: kind, host, tls, identity, upstream, gpuMetrics',
      'siesta.yaml:8: tls is for a tcp:// host: a folder with ca.pem, cert.pem and key.pem',
      'siesta.yaml:10: kind="kubernetes": expected docker or swarm',
      'siesta.yaml:12: gpuMetrics="gpu6:9400": expected an http:// URL of a Prometheus endpoint, e.g. http://gpu2:9400/metrics',
    ]);
    expect(parse('engines:\n  gpu2:\n    hots: x\n  ok: {}\n').engines?.map((e) => e.name)).toEqual(
      ['ok'],
    );
  });

  it('refuses a bad upstream on a model, and a container path with more than one engine', () => {
    expect(
      problemsOf('models:\n  - container: a\n    upstream: "http://x"\n  - container: a/b/c\n'),
    ).toEqual([
      'siesta.yaml:3: models[0]: upstream="http://x": expected a host or host:port, e.g. 10.0.0.12 or gpu2.lan:8000',
      'siesta.yaml:4: models[1]: container="a/b/c": expected a container name or id, or ENGINE/NAME for a container on another engine',
    ]);
  });
});
