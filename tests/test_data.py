import gzip
import shutil

import numpy as np
import pytest

from fmnist_lib.data import fashion


def test_real_files_load_with_the_official_content(real_data_dir):
    ds = fashion.load_fashion_mnist(allow_download=False)
    assert ds.x_train.shape == (60000, 28, 28) and ds.x_test.shape == (10000, 28, 28)
    assert ds.x_train.dtype == np.uint8
    assert np.bincount(ds.y_train).tolist() == [6000] * 10
    assert np.bincount(ds.y_test).tolist() == [1000] * 10
    # the mean pixel of Fashion-MNIST's training images (MNIST's is about 33.3)
    assert ds.x_train.mean() == pytest.approx(72.94035223214286)


def _copy_dataset(src, dst):
    dst.mkdir()
    for spec in fashion.FILES.values():
        shutil.copy(src / spec["name"], dst / spec["name"])
    return dst


def test_truncated_file_is_rejected_with_its_name(real_data_dir, tmp_path, monkeypatch):
    folder = _copy_dataset(real_data_dir, tmp_path / "fm")
    target = folder / fashion.FILES["train_labels"]["name"]
    target.write_bytes(target.read_bytes()[:2000])
    monkeypatch.setenv(fashion.ENV_DIR, str(folder))
    fashion._load_from.cache_clear()
    with pytest.raises(fashion.DataError, match="train-labels-idx1-ubyte.gz is a damaged gzip file.*cut short"):
        fashion.load_fashion_mnist(allow_download=False)


def test_tampered_file_fails_the_checksum(real_data_dir, tmp_path, monkeypatch):
    folder = _copy_dataset(real_data_dir, tmp_path / "fm")
    target = folder / fashion.FILES["test_labels"]["name"]
    raw = bytearray(gzip.decompress(target.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one label changed: still a valid IDX file
    target.write_bytes(gzip.compress(bytes(raw)))
    monkeypatch.setenv(fashion.ENV_DIR, str(folder))
    fashion._load_from.cache_clear()
    with pytest.raises(fashion.DataError) as err:
        fashion.load_fashion_mnist(allow_download=False)
    message = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert fashion.FILES["test_labels"]["sha256"] in message
    assert "official" in message


def test_missing_data_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv(fashion.ENV_DIR, raising=False)
    monkeypatch.setattr(fashion, "KERAS_CACHE_DIR", tmp_path / "keras")
    monkeypatch.setattr(fashion, "DEBIAN_DIR", tmp_path / "debian")
    with pytest.raises(fashion.DataError) as err:
        fashion.locate_data_dir(allow_download=False)
    message = str(err.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert fashion.ENV_DIR in message
    assert str(tmp_path / "keras") in message


def test_a_data_folder_asked_for_by_name_is_used_or_refused_never_skipped(real_data_dir, tmp_path, monkeypatch):
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(real_data_dir / fashion.FILES["train_labels"]["name"], partial)
    monkeypatch.setenv(fashion.ENV_DIR, str(partial))
    with pytest.raises(fashion.DataError, match=f"{fashion.ENV_DIR}={partial} lacks train-images-idx3-ubyte.gz"):
        fashion.locate_data_dir(allow_download=False)


def test_a_folder_without_the_variable_that_is_partial_is_skipped(real_data_dir, tmp_path, monkeypatch):
    monkeypatch.delenv(fashion.ENV_DIR, raising=False)
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(real_data_dir / fashion.FILES["train_labels"]["name"], partial)
    monkeypatch.setattr(fashion, "KERAS_CACHE_DIR", partial)
    assert fashion.locate_data_dir(allow_download=False) != partial


def test_uncompressed_idx_files_are_accepted(real_data_dir, tmp_path, monkeypatch):
    folder = tmp_path / "raw"
    folder.mkdir()
    for spec in fashion.FILES.values():
        (folder / spec["name"].removesuffix(".gz")).write_bytes(
            gzip.decompress((real_data_dir / spec["name"]).read_bytes())
        )
    monkeypatch.setenv(fashion.ENV_DIR, str(folder))
    fashion._load_from.cache_clear()
    ds = fashion.load_fashion_mnist(allow_download=False)
    assert ds.source == str(folder) and ds.x_train.shape == (60_000, 28, 28)


def test_an_unreadable_file_says_permission_denied(real_data_dir, monkeypatch):
    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(fashion, "open", refuse, raising=False)  # as root, chmod cannot make a file unreadable
    spec = fashion.FILES["test_labels"]
    with pytest.raises(fashion.DataError, match=r"cannot be read: permission denied. Make it readable \(chmod a\+r"):
        fashion.read_idx(real_data_dir / spec["name"], spec)


def test_subsample_is_stratified_and_deterministic():
    labels = np.repeat(np.arange(10), 600)
    first = fashion.stratified_subsample(labels, 1000, seed=3)
    again = fashion.stratified_subsample(labels, 1000, seed=3)
    other = fashion.stratified_subsample(labels, 1000, seed=4)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert len(np.unique(first)) == 1000
    assert np.bincount(labels[first]).tolist() == [100] * 10


def test_subsample_keeps_proportions_of_unbalanced_labels():
    labels = np.array([0] * 300 + [1] * 100 + list(range(2, 10)) * 50)
    picked = fashion.stratified_subsample(labels, 200, seed=0)
    counts = np.bincount(labels[picked], minlength=10)
    assert counts.sum() == 200
    assert counts[0] == pytest.approx(200 * 300 / len(labels), abs=1)


@pytest.mark.parametrize("size,message", [(7000, "larger"), (50, "10 images per class")])
def test_subsample_rejects_impossible_sizes(size, message):
    with pytest.raises(ValueError, match=message):
        fashion.stratified_subsample(np.repeat(np.arange(10), 600), size, seed=0)


def test_preprocessing_matches_the_paper():
    images = np.array([[[0, 255], [128, 64]]], dtype=np.uint8).repeat(14, 1).repeat(14, 2)
    vectors = fashion.as_vectors(images)
    assert vectors.shape == (1, 784) and vectors.max() == 255
    cnn = fashion.as_cnn_input(images)
    assert cnn.shape == (1, 28, 28, 1) and cnn.dtype == np.float32
    assert cnn.min() == 0.0 and cnn.max() == 1.0


def test_a_file_that_is_no_dataset_file_says_so(real_data_dir, tmp_path, monkeypatch):
    folder = _copy_dataset(real_data_dir, tmp_path / "fm")
    target = folder / fashion.FILES["test_images"]["name"]
    target.write_text("<html>404 Not Found</html>")
    monkeypatch.setenv(fashion.ENV_DIR, str(folder))
    fashion._load_from.cache_clear()
    with pytest.raises(fashion.DataError, match="t10k-images-idx3-ubyte.gz is neither a gzip file nor an IDX file"):
        fashion.load_fashion_mnist(allow_download=False)
    fashion._load_from.cache_clear()
