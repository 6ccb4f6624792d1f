/**
 * The work every server does for one request: the CloudEvent's JSON data
 * parsed (by the server or its framework), and this object answered as
 * JSON with a 200.
 */
export const reply = (id, data) => ({ ok: true, id, orderId: data.orderId, total: data.amount * data.quantity })
