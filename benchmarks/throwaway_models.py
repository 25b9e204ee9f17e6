"""Writes a throwaway configuration and two model manifests for `xraywatch bench` when the trained models
are not in models/ yet. The heads use the seeded random weights of the golden reference data (same shapes
as the tutorial head), so the timings are those of the real path; the probabilities mean nothing.

Usage: python throwaway_models.py GOLDEN.safetensors BACKBONE.safetensors OUT_DIR
Prints the path of the configuration it wrote."""
import hashlib, json, os, struct, sys

def read_safetensors(path):
    with open(path, 'rb') as f:
        size = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(size))
        base = 8 + size
        tensors = {}
        for name, entry in header.items():
            if name == '__metadata__':
                continue
            start, end = entry['data_offsets']
            f.seek(base + start)
            tensors[name] = (entry['dtype'], entry['shape'], f.read(end - start))
    return tensors

def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header).encode()
    encoded += b' ' * (-len(encoded) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(encoded)) + encoded + b''.join(blobs))

def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()

golden, backbone, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
reference = read_safetensors(golden)
weights = {name[len('head.'):]: value for name, value in reference.items() if name.startswith('head.')}
weights_path = os.path.join(out, 'head.safetensors')
write_safetensors(weights_path, weights)
models = []
for name, labels in (('covid_normal', ['covid', 'normal']), ('covid_pneumo', ['covid', 'pneumonia'])):
    manifest = {
        'name': name, 'version': 'throwaway', 'description': 'benchmark only: golden random head weights',
        'labels': labels, 'positiveLabel': 'covid', 'threshold': 0.5,
        'preprocessing': {'resize': 'area', 'normalisation': 'caffe', 'size': 224},
        'backbone': {'name': 'vgg16_imagenet_notop', 'sha256': sha256(backbone)},
        'head': [{'type': 'average_pool', 'pool': 2}, {'type': 'flatten'},
                 {'type': 'dense', 'units': 128, 'name': 'dense'}, {'type': 'relu'},
                 {'type': 'dropout', 'rate': 0.5}, {'type': 'dense', 'units': 2, 'name': 'dense_1'},
                 {'type': 'softmax'}],
        'weights': {'file': 'head.safetensors', 'sha256': sha256(weights_path)},
        'training': {},
    }
    path = os.path.join(out, name + '.json')
    with open(path, 'w') as f:
        json.dump(manifest, f, indent=2)
    models.append(path)
config_path = os.path.join(out, 'config.json')
with open(config_path, 'w') as f:
    json.dump({'backbone': os.path.abspath(backbone), 'models': models,
               'inbox': os.path.join(out, 'inbox'), 'outbox': os.path.join(out, 'outbox'),
               'archive': os.path.join(out, 'archive'), 'rejected': os.path.join(out, 'rejected'),
               'ledger': os.path.join(out, 'ledger.csv')}, f, indent=2)
print(config_path)
