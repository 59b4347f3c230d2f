/** The "V1 vector" of test/vectors/README.md: two layers, Go-style escapes, a non-ASCII author. */
const LEAF_ID = "9f91161f43433e49a6de6db680d79f60159f2e4ac9172621a12846428158440b";
const BASE_ID = "cae662172fd450bb0cd710a769079c05bfc5d8e35efa6576edc7d0377afdd4a2";

export const V1_VECTOR = {
  namespace: "devtable",
  repository: "simple",
  tag: "latest",
  leafId: LEAF_ID,
  baseId: BASE_ID,
  /** Leaf first, as schema1 orders layers. `\u003c` stays six literal characters; `ô`/`é` are raw. */
  layers: [
    {
      blobSum: "sha256:635c8211831a9eb8be3659f3b69c6651830c47b8660ef55835912d77d68d6ac3",
      v1Compatibility:
        `{"id":"${LEAF_ID}","parent":"${BASE_ID}","created":"2016-03-01T12:00:00.123456789Z",` +
        `"author":"Sômé \\u003cguy\\u003e","container_config":{"Cmd":["/bin/sh","-c","echo hi \\u003e /x"],` +
        `"Image":"${BASE_ID}"},"Size":12}`,
    },
    {
      blobSum: "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4",
      v1Compatibility:
        `{"id":"${BASE_ID}","created":"2016-03-01T11:00:00Z",` +
        `"container_config":{"Cmd":["/bin/sh","-c","#(nop) ADD file:abc in /"]},"Size":100}`,
    },
  ],
  current: { size: 1090, digest: "sha256:be2e9fe2a8317b5daa4309abe559dc8e277bf418660d127f405c4f4b5bb8a8e2" },
  currentStripped: {
    size: 1100,
    digest: "sha256:b3ba1408af9a3d9a6cb7d791a8822d04d3cb64f3983a0cd037c5aae9ef482c5b",
  },
  python2: { size: 1097, digest: "sha256:3e577ad28cf88d5a87485bbe4355af8e630f30471b64fc2092d64932962feeeb" },
  python2Stripped: {
    size: 1107,
    digest: "sha256:0d3412c5262a155bfb376ca34a4bebf7f0c7d9543e6a29504f7484ec45419fd1",
  },
  python2Library: {
    size: 1088,
    digest: "sha256:79d8aa7302321a8dd121e8fcdfaed4a04b70fb451618a4b1d89f1e46869279f2",
  },
  /** The repository already holds the base id with this checksum, so both ids are rewritten. */
  rewriteExisting: new Map([[BASE_ID, "sha256:" + "0".repeat(64)]]),
  rewrittenBaseId: "b975e9aaf8f34dddbc2009306cb1fe70ef37ef3967a264b1825a7bff572bb082",
  rewrittenLeafId: "6d25256271b97c3bf9356063cc7ec1af03603ed345550d079c4b97fda01d8094",
} as const;
