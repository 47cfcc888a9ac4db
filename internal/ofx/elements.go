package ofx

// elem identifies an element the parser acts on. Aggregates sort before
// aggEnd, leaves after it; eNone is every element the parser does not know,
// which it treats as transparent (its children are read as if they were the
// parent's).
type elem uint8

const (
	eNone elem = iota

	// Aggregates.
	aOFX
	aSONRS
	aSONRQ
	aSTATUS
	aFI
	aSTMTTRNRS
	aCCSTMTTRNRS
	aINVSTMTTRNRS
	aSTMTRS
	aCCSTMTRS
	aINVSTMTRS
	aBANKACCTFROM
	aCCACCTFROM
	aINVACCTFROM
	aBANKTRANLIST
	aINVTRANLIST
	aSTMTTRN
	aPAYEE
	aCURRENCY
	aORIGCURRENCY
	aINVBANKTRAN
	aLEDGERBAL
	aAVAILBAL
	aINVBAL
	aINVPOSLIST
	aPOSSTOCK
	aPOSMF
	aPOSDEBT
	aPOSOPT
	aPOSOTHER
	aINVPOS
	aSECID
	aACCTINFOTRNRS
	aACCTINFORS
	aACCTINFO
	aBANKACCTINFO
	aCCACCTINFO
	aINVACCTINFO
	aACCTINFOTRNRQ
	aACCTINFORQ
	aSTMTTRNRQ
	aCCSTMTTRNRQ
	aINVSTMTTRNRQ
	aSTMTRQ
	aCCSTMTRQ
	aINVSTMTRQ
	aINCTRAN
	aINCPOS
	aOpaque // an aggregate whose contents are ignored (BANKACCTTO, BALLIST, ...)
	aggEnd

	// Leaves.
	lCODE
	lSEVERITY
	lMESSAGE
	lDTSERVER
	lLANGUAGE
	lORG
	lFID
	lTRNUID
	lCURDEF
	lBANKID
	lBROKERID
	lACCTID
	lACCTTYPE
	lDTSTART
	lDTEND
	lTRNTYPE
	lDTPOSTED
	lDTUSER
	lTRNAMT
	lFITID
	lNAME
	lMEMO
	lCHECKNUM
	lREFNUM
	lSIC
	lCURSYM
	lSUBACCTFUND
	lBALAMT
	lDTASOF
	lAVAILCASH
	lUNIQUEID
	lUNIQUEIDTYPE
	lUNITS
	lUNITPRICE
	lMKTVAL
	lDTPRICEASOF
	lDESC
	lDTACCTUP
	lDTCLIENT
	lUSERID
	lUSERPASS
	lAPPID
	lAPPVER
	lCLIENTUID
	lINCLUDE
	lOther // a known OFX leaf the parser does not read
	elemCount
)

// elemNames maps element names to ids. Names not listed are eNone.
var elemNames = map[string]elem{
	"OFX": aOFX, "SONRS": aSONRS, "SONRQ": aSONRQ, "STATUS": aSTATUS, "FI": aFI,
	"STMTTRNRS": aSTMTTRNRS, "CCSTMTTRNRS": aCCSTMTTRNRS, "INVSTMTTRNRS": aINVSTMTTRNRS,
	"STMTRS": aSTMTRS, "CCSTMTRS": aCCSTMTRS, "INVSTMTRS": aINVSTMTRS,
	"BANKACCTFROM": aBANKACCTFROM, "CCACCTFROM": aCCACCTFROM, "INVACCTFROM": aINVACCTFROM,
	"BANKTRANLIST": aBANKTRANLIST, "INVTRANLIST": aINVTRANLIST, "STMTTRN": aSTMTTRN,
	"PAYEE": aPAYEE, "CURRENCY": aCURRENCY, "ORIGCURRENCY": aORIGCURRENCY,
	"INVBANKTRAN": aINVBANKTRAN, "LEDGERBAL": aLEDGERBAL, "AVAILBAL": aAVAILBAL,
	"INVBAL": aINVBAL, "INVPOSLIST": aINVPOSLIST, "POSSTOCK": aPOSSTOCK, "POSMF": aPOSMF,
	"POSDEBT": aPOSDEBT, "POSOPT": aPOSOPT, "POSOTHER": aPOSOTHER, "INVPOS": aINVPOS,
	"SECID": aSECID, "ACCTINFOTRNRS": aACCTINFOTRNRS, "ACCTINFORS": aACCTINFORS,
	"ACCTINFO": aACCTINFO, "BANKACCTINFO": aBANKACCTINFO, "CCACCTINFO": aCCACCTINFO,
	"INVACCTINFO": aINVACCTINFO, "ACCTINFOTRNRQ": aACCTINFOTRNRQ, "ACCTINFORQ": aACCTINFORQ,
	"STMTTRNRQ": aSTMTTRNRQ, "CCSTMTTRNRQ": aCCSTMTTRNRQ, "INVSTMTTRNRQ": aINVSTMTTRNRQ,
	"STMTRQ": aSTMTRQ, "CCSTMTRQ": aCCSTMTRQ, "INVSTMTRQ": aINVSTMTRQ,
	"INCTRAN": aINCTRAN, "INCPOS": aINCPOS,

	// Aggregates whose leaves would be misread in their parent's context.
	"BANKACCTTO": aOpaque, "CCACCTTO": aOpaque, "INVACCTTO": aOpaque, "BALLIST": aOpaque,
	"BAL": aOpaque, "BPACCTINFO": aOpaque, "PRESACCTINFO": aOpaque, "SECLISTMSGSRSV1": aOpaque,
	"SECLIST": aOpaque, "INVOOLIST": aOpaque, "INVTRAN": aOpaque, "INVBUY": aOpaque,
	"INVSELL": aOpaque, "INV401K": aOpaque, "INV401KBAL": aOpaque, "MFACHANGE": aOpaque,
	"LOANSTMTRS": aOpaque, "IMAGEDATA": aOpaque, "EMAILMSGSRSV1": aOpaque,
	"MSGSETLIST": aOpaque, "SECURITYLIST": aOpaque, "PROFMSGSRSV1": aOpaque,

	"CODE": lCODE, "SEVERITY": lSEVERITY, "MESSAGE": lMESSAGE, "DTSERVER": lDTSERVER,
	"LANGUAGE": lLANGUAGE, "ORG": lORG, "FID": lFID, "TRNUID": lTRNUID, "CURDEF": lCURDEF,
	"BANKID": lBANKID, "BROKERID": lBROKERID, "ACCTID": lACCTID, "ACCTTYPE": lACCTTYPE,
	"DTSTART": lDTSTART, "DTEND": lDTEND, "TRNTYPE": lTRNTYPE, "DTPOSTED": lDTPOSTED,
	"DTUSER": lDTUSER, "TRNAMT": lTRNAMT, "FITID": lFITID, "NAME": lNAME, "MEMO": lMEMO,
	"CHECKNUM": lCHECKNUM, "REFNUM": lREFNUM, "SIC": lSIC, "CURSYM": lCURSYM,
	"SUBACCTFUND": lSUBACCTFUND, "BALAMT": lBALAMT, "DTASOF": lDTASOF,
	"AVAILCASH": lAVAILCASH, "UNIQUEID": lUNIQUEID, "UNIQUEIDTYPE": lUNIQUEIDTYPE,
	"UNITS": lUNITS, "UNITPRICE": lUNITPRICE, "MKTVAL": lMKTVAL, "DTPRICEASOF": lDTPRICEASOF,
	"DESC": lDESC, "DTACCTUP": lDTACCTUP, "DTCLIENT": lDTCLIENT, "USERID": lUSERID,
	"USERPASS": lUSERPASS, "APPID": lAPPID, "APPVER": lAPPVER, "CLIENTUID": lCLIENTUID,
	"INCLUDE": lINCLUDE,

	// Leaves read by nobody: listed so that an empty one (<EXTDNAME> with no
	// value, SGML style) is not mistaken for an aggregate.
	"DTAVAIL": lOther, "CORRECTFITID": lOther, "CORRECTACTION": lOther, "SRVRTID": lOther,
	"PAYEEID": lOther, "EXTDNAME": lOther, "CURRATE": lOther, "INV401KSOURCE": lOther,
	"ADDR1": lOther, "ADDR2": lOther, "ADDR3": lOther, "CITY": lOther, "STATE": lOther,
	"POSTALCODE": lOther, "COUNTRY": lOther, "PHONE": lOther, "BRANCHID": lOther,
	"ACCTKEY": lOther, "MKTGINFO": lOther, "SUPTXDL": lOther, "XFERSRC": lOther,
	"XFERDEST": lOther, "SVCSTATUS": lOther, "CHKANDDEB": lOther, "USPRODUCTTYPE": lOther,
	"CHECKING": lOther, "INVACCTTYPE": lOther, "OPTIONLEVEL": lOther, "HELDINACCT": lOther,
	"POSTYPE": lOther, "MARGINBALANCE": lOther, "SHORTBALANCE": lOther, "BUYPOWER": lOther,
	"CLTCOOKIE": lOther, "SESSCOOKIE": lOther, "ACCESSKEY": lOther, "USERKEY": lOther,
	"TSKEYEXPIRE": lOther, "DTPROFUP": lOther, "INCOO": lOther, "INCBAL": lOther,
	"INC401K": lOther, "INC401KBAL": lOther, "INCTRANIMG": lOther, "DTTRADE": lOther,
	"DTSETTLE": lOther, "REVERSALFITID": lOther, "TOTAL": lOther, "FEES": lOther,
	"COMMISSION": lOther, "TAXES": lOther, "LOAD": lOther, "BUYTYPE": lOther,
	"SELLTYPE": lOther, "INCOMETYPE": lOther, "SUBACCTSEC": lOther, "DTBEGIN": lOther,
	"MINPMTDUE": lOther, "DTDUE": lOther, "CASHADVBALAMT": lOther, "BALTYPE": lOther,
	"VALUE": lOther, "REWARDINFO": lOther, "INTRATE": lOther, "ACCTREQUESTTYPE": lOther,
}

// elemName is the canonical name of every known id, for stack frames and
// error messages.
var elemName [elemCount]string

// elemTable is an open-addressed hash table over elemNames, faster than
// the map for the handful of names every transaction repeats.
var elemTable [1024]struct {
	name  string
	id    elem
	multi bool // more than one known name hashes here: ask the map
}

func hashName(name []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range name {
		h = (h ^ uint32(c)) * 16777619
	}
	return h & uint32(len(elemTable)-1)
}

func init() {
	for name, id := range elemNames {
		if id != aOpaque && id != lOther {
			elemName[id] = name
		}
		e := &elemTable[hashName([]byte(name))]
		if e.name != "" {
			e.multi = true
			continue
		}
		e.name, e.id = name, id
	}
}

// lookup returns the id of an element name, eNone if it is not known.
func lookup(name []byte) elem {
	e := &elemTable[hashName(name)]
	if e.name == string(name) {
		return e.id
	}
	if e.multi {
		return elemNames[string(name)]
	}
	return eNone
}

// isAggregate reports whether id is a known aggregate.
func (id elem) isAggregate() bool { return id > eNone && id < aggEnd }

// isLeaf reports whether id is a known leaf.
func (id elem) isLeaf() bool { return id > aggEnd }
