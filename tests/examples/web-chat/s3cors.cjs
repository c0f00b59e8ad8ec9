// The test's own S3 server: the fixture's s3rver (tests/fixtures/s3), with a CORS rule on its
// bucket for the web chat's origin, so the page can PUT to and GET from presigned URLs as a
// browser does with a real bucket configured for the site. The `services` fixture's S3 server
// has no CORS rule (no other test is a browser).
//   node s3cors.cjs PORT DIRECTORY BUCKET ORIGIN
const path = require('node:path');
const S3rver = require(path.join(__dirname, '../../fixtures/s3/node_modules/@20minutes/s3rver'));
const [port, directory, bucket, origin] = process.argv.slice(2);
const cors = `<CORSConfiguration><CORSRule>
  <AllowedOrigin>${origin}</AllowedOrigin>
  <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
  <AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>
</CORSRule></CORSConfiguration>`;
new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket, configs: [cors] }],
}).run().then(() => console.log('s3 ready'));
