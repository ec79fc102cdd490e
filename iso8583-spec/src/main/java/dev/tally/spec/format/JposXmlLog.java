package dev.tally.spec.format;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.XMLPackager;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * Reads the XML logs jPOS-based systems write ({@code <log realm=".." at="..">} elements holding
 * {@code <send>}/{@code <receive>} and {@code <isomsg>} dumps): labs keep years of them. Each
 * {@code <isomsg>} is turned back into a message by jPOS's own {@link XMLPackager}. Masked values
 * (a PAN logged as {@code 476173______0119}) are kept as they are; replay maps them to test cards.
 */
public final class JposXmlLog {

    /** One message found in the log, with the log entry's time, realm and direction (send/receive). */
    public record LoggedMessage(String at, String realm, String direction, ISOMsg message) {
    }

    private JposXmlLog() {
    }

    /** True when the text looks like a jPOS XML log or a bare {@code <isomsg>}. */
    public static boolean looksLikeXml(String text) {
        String t = text.stripLeading();
        return t.startsWith("<log") || t.startsWith("<isomsg") || t.startsWith("<?xml") || t.startsWith("<logger");
    }

    public static List<LoggedMessage> read(String text) {
        String body = text.strip().replaceFirst("^<\\?xml[^>]*\\?>", "");
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(new InputSource(new StringReader("<jpos-log>" + body + "</jpos-log>")));
        } catch (SAXParseException e) {
            throw new MessageFormatException("not a well-formed jPOS XML log: line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new MessageFormatException("cannot read the jPOS XML log: " + e.getMessage(), e);
        }
        List<LoggedMessage> out = new ArrayList<>();
        NodeList msgs = doc.getElementsByTagName("isomsg");
        for (int i = 0; i < msgs.getLength(); i++) {
            Element iso = (Element) msgs.item(i);
            if (iso.getParentNode() instanceof Element p && p.getTagName().equals("isomsg")) {
                continue; // an inner isomsg of a composite field is read with its parent
            }
            Element log = ancestor(iso, "log");
            String direction = iso.getAttribute("direction");
            Element sr = ancestor(iso, "send") != null ? ancestor(iso, "send") : ancestor(iso, "receive");
            if (direction.isEmpty() && sr != null) {
                direction = sr.getTagName().equals("send") ? "outgoing" : "incoming";
            }
            out.add(new LoggedMessage(log == null ? null : log.getAttribute("at"),
                    log == null ? null : log.getAttribute("realm"), direction.isEmpty() ? null : direction,
                    unpack(iso, i + 1)));
        }
        if (out.isEmpty()) {
            throw new MessageFormatException("the jPOS XML log holds no <isomsg>", null);
        }
        return out;
    }

    private static ISOMsg unpack(Element iso, int index) {
        try {
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter w = new StringWriter();
            t.transform(new DOMSource(iso), new StreamResult(w));
            ISOMsg m = new ISOMsg();
            m.setPackager(new XMLPackager());
            m.unpack(new ByteArrayInputStream(w.toString().getBytes(StandardCharsets.UTF_8)));
            m.setPackager(Iso87.packager());
            if (m.getMTI() == null) {
                throw new MessageFormatException("<isomsg> number " + index + " has no MTI (field 0)", null);
            }
            return m;
        } catch (ISOException e) {
            throw new MessageFormatException("<isomsg> number " + index + " cannot be read: " + e.getMessage(), e);
        } catch (MessageFormatException e) {
            throw e;
        } catch (Exception e) {
            throw new MessageFormatException("<isomsg> number " + index + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static Element ancestor(Node n, String tag) {
        for (Node p = n.getParentNode(); p != null; p = p.getParentNode()) {
            if (p instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }
}
