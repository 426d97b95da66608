import { RestError, type ContainerClient } from '@azure/storage-blob';

/** Uploads a whole blob; a container that does not exist yet (404) is created and the upload tried once more. */
export async function uploadCreatingContainer(
  container: ContainerClient,
  name: string,
  body: Buffer | string,
  contentType: string,
): Promise<void> {
  const blob = container.getBlockBlobClient(name);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const upload = () => blob.uploadData(bytes, { blobHTTPHeaders: { blobContentType: contentType } });
  try {
    await upload();
  } catch (error) {
    if (!(error instanceof RestError) || error.statusCode !== 404) throw error;
    await container.createIfNotExists();
    await upload();
  }
}
